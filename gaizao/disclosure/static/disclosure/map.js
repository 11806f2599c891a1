// The one map: base map tiles from the application (PMTiles via
// /map/tiles, drawn by protomaps-leaflet), compounds by viewport from
// /map/data.json, clustered on the server. Filters share the list's query.
(function () {
  var el = document.getElementById("onemap");
  if (!el || !window.L) return;
  var colours = JSON.parse(document.getElementById("stage-colours").textContent);
  var bounds = JSON.parse(document.getElementById("map-bounds").textContent);
  var map = L.map(el, { preferCanvas: true, maxZoom: 18, minZoom: 8 });
  if (el.dataset.tiles && window.protomapsL) {
    protomapsL.leafletLayer({
      url: el.dataset.tiles, flavor: "light", lang: "zh", maxDataZoom: 14,
      attribution: "gaizao"
    }).addTo(map);
  }
  if (bounds) map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]);
  else map.setView([25.08, 102.74], 12);
  var layer = L.layerGroup().addTo(map);
  var params = el.dataset.params;
  var seq = 0;
  function dominant(stages) {
    var best = "", n = -1;
    for (var k in stages) if (stages[k] > n) { n = stages[k]; best = k; }
    return best;
  }
  function draw(data) {
    layer.clearLayers();
    data.markers.forEach(function (m) {
      if (m.n) {
        var size = Math.min(56, 22 + Math.round(Math.log(m.n) * 6));
        var icon = L.divIcon({
          className: "", iconSize: [size, size],
          html: '<div class="cl" style="width:' + size + 'px;height:' + size + 'px;line-height:' +
            (size - 4) + 'px;background:' + (colours[dominant(m.stages)] || "#607d8b") + '">' + m.n + "</div>"
        });
        L.marker([m.lat, m.lon], { icon: icon }).addTo(layer).on("click", function () {
          map.fitBounds([[m.bbox[1], m.bbox[0]], [m.bbox[3], m.bbox[2]]], { padding: [40, 40], maxZoom: 18 });
        });
      } else {
        L.circleMarker([m.lat, m.lon], {
          radius: 7, color: "#fff", weight: 1.5, fillOpacity: 0.95, fillColor: colours[m.stage] || "#9e9e9e"
        }).addTo(layer).bindTooltip(m.name).on("click", function () {
          window.location.href = data.detail_url.replace("{id}", m.id);
        });
      }
    });
    var c = document.getElementById("map-count");
    if (c) c.textContent = c.dataset.label ? c.dataset.label.replace("N", data.count) : data.count;
  }
  function load() {
    var b = map.getBounds();
    var q = "bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",") +
      "&zoom=" + map.getZoom() + (params ? "&" + params : "");
    var mine = ++seq;
    fetch(el.dataset.dataUrl + "?" + q, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) { if (mine === seq && d.markers) draw(d); });
  }
  map.on("moveend", load);
  load();
})();
