"""改造计划 (programme): batches against floor-area targets and the batch optimiser."""
