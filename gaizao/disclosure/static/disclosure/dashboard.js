// Leadership dashboard charts (ECharts, served by the application).
// Every bar, slice and funnel stage links to the compound list behind it.
(function () {
  var el = document.getElementById("dash-data");
  if (!el || !window.echarts) return;
  var d = JSON.parse(el.textContent);
  var charts = [];
  function mk(id, option, onClick) {
    var node = document.getElementById(id);
    if (!node) return;
    var c = echarts.init(node);
    c.setOption(option);
    c.on("click", onClick);
    charts.push(c);
  }
  function go(url) { if (url) window.location.href = url; }
  var byUrl = function (p) { if (p.data && p.data.url) go(p.data.url); };
  mk("chart-funnel", {
    tooltip: { trigger: "item" },
    series: [{ type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "12%",
      label: { show: true, position: "inside", formatter: "{b}: {c}" }, data: d.funnel }]
  }, byUrl);
  mk("chart-paid", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 10, right: 10, bottom: 10, top: 40, containLabel: true },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: d.paid.names },
    series: [
      { name: d.labels.planned, type: "bar", data: d.paid.planned },
      { name: d.labels.paid, type: "bar", data: d.paid.paid }
    ]
  }, function (p) { go(d.paid.urls[p.dataIndex]); });
  mk("chart-targets", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 10, right: 10, bottom: 10, top: 40, containLabel: true },
    xAxis: { type: "category", data: d.targets.names },
    yAxis: { type: "value" },
    series: [
      { name: d.labels.n, type: "bar", data: d.targets.n },
      { name: d.labels.started, type: "bar", data: d.targets.started },
      { name: d.labels.completed, type: "bar", data: d.targets.completed }
    ]
  }, function (p) {
    var lists = [d.targets.urls, d.targets.started_urls, d.targets.completed_urls];
    go(lists[p.seriesIndex][p.dataIndex]);
  });
  mk("chart-streets", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 40, right: 10, bottom: 40, top: 40, containLabel: true },
    xAxis: { type: "category", data: d.streets.names, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value" },
    series: d.streets.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  }, function (p) {
    var url = d.streets.urls[p.dataIndex];
    if (url) go(url + "&stage=" + d.stages[p.seriesIndex]);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
