// Compound maps (Leaflet); moved out of the page for the Content-Security-Policy.
/* Maps without a tile server: a plain background, a light graticule that
   follows the view, compounds as circles in the grade colours. */
window.gzMap = (function () {
  var COLORS = {good: "#2da44e", fair: "#d4a72c", poor: "#e16f24", bad: "#cf222e", unknown: "#8c959f"};
  function graticule(map) {
    var layer = L.layerGroup().addTo(map);
    function draw() {
      layer.clearLayers();
      var b = map.getBounds(), z = map.getZoom();
      var step = z >= 16 ? 0.002 : z >= 14 ? 0.005 : z >= 12 ? 0.02 : z >= 10 ? 0.05 : 0.2;
      var style = {color: "#d0c9b8", weight: 1, opacity: 0.8, interactive: false};
      var s = Math.floor(b.getSouth() / step) * step, n = b.getNorth();
      var w = Math.floor(b.getWest() / step) * step, e = b.getEast();
      for (var lat = s; lat <= n; lat += step) L.polyline([[lat, b.getWest()], [lat, e]], style).addTo(layer);
      for (var lng = w; lng <= e; lng += step) L.polyline([[b.getSouth(), lng], [n, lng]], style).addTo(layer);
    }
    map.on("moveend zoomend resize", draw);
    draw();
  }
  function make(el, opts) {
    var map = L.map(el, Object.assign({preferCanvas: true, attributionControl: false, minZoom: 8, maxZoom: 18}, opts || {}));
    return map;
  }
  function dot(latlng, grade, radius) {
    var c = COLORS[grade] || COLORS.unknown;
    return L.circleMarker(latlng, {radius: radius || 6, color: "#fff", weight: 1, fillColor: c, fillOpacity: 0.9});
  }
  function legend(map, grades) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend");
      div.innerHTML = "<strong>" + (map.getContainer().dataset.legend || "") + "</strong><br>" + grades.map(function (g) {
        return '<i style="background:' + (COLORS[g[0]] || COLORS.unknown) + '"></i>' + g[1];
      }).join("<br>");
      return div;
    };
    ctl.addTo(map);
  }
  function mini(el) {
    var ll = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    var map = make(el, {zoomControl: true, scrollWheelZoom: false}).setView(ll, 16);
    graticule(map);
    dot(ll, el.dataset.grade, 10).addTo(map);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("minimap");
    if (el) mini(el);
  });
  return {COLORS: COLORS, make: make, dot: dot, legend: legend, graticule: graticule};
})();
