// The compound map page; strings come from the page (data attributes of #map-i18n).
document.addEventListener("DOMContentLoaded", function () {
  var T = document.getElementById("map-i18n").dataset;
  var el = document.getElementById("map"), form = document.getElementById("filters");
  var status = document.getElementById("map-status"), toList = document.getElementById("to-list");
  var grades = JSON.parse(document.getElementById("grades").textContent);
  var map = gzMap.make(el).setView([25.07, 102.73], 12);
  gzMap.graticule(map);
  gzMap.legend(map, grades);
  var dots = L.layerGroup().addTo(map), labels = L.layerGroup().addTo(map);
  var detail = el.dataset.detail.replace(/0\/$/, "");
  function esc(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function query() {
    var p = new URLSearchParams(new FormData(form));
    Array.from(p.keys()).forEach(function (k) { if (!p.get(k)) p.delete(k); });
    return p.toString();
  }
  // Open on where most compounds are: the outlying streets stay a pan away.
  function num(a, b) { return a - b; }
  function core(pts) {
    if (pts.length < 20) return pts;
    var lat = pts.map(function (p) { return p[0]; }).sort(num), lng = pts.map(function (p) { return p[1]; }).sort(num);
    var lo = Math.floor(pts.length * 0.05), hi = Math.ceil(pts.length * 0.95) - 1;
    return [[lat[lo], lng[lo]], [lat[hi], lng[hi]]];
  }
  // Street names only once they no longer sit on top of each other.
  var nStreets = 0;
  function showLabels() {
    var on = nStreets <= 1 || map.getZoom() >= 14;
    if (on && !map.hasLayer(labels)) labels.addTo(map);
    if (!on && map.hasLayer(labels)) map.removeLayer(labels);
  }
  map.on("zoomend", showLabels);
  function load(first) {
    var qs = query();
    status.textContent = T.loading;
    if (!first) history.replaceState(null, "", "?" + qs);
    toList.href = toList.href.split("?")[0] + (qs ? "?" + qs : "");
    fetch(el.dataset.src + (qs ? "?" + qs : ""), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        dots.clearLayers(); labels.clearLayers();
        var streets = {}, bounds = [];
        data.items.forEach(function (c) {
          var ll = [c.lat, c.lng];
          bounds.push(ll);
          gzMap.dot(ll, c.grade, 6).bindPopup(
            "<strong>" + esc(c.name) + "</strong><br>" + esc(c.street) + "<br>" + T.grade + "" + esc(c.grade_label) +
            (c.score == null ? "" : " " + c.score) + '<br><a href="' + detail + c.id + '/">" + T.details + "</a>'
          ).addTo(dots);
          var s = streets[c.street] || (streets[c.street] = {lat: 0, lng: 0, n: 0});
          s.lat += c.lat; s.lng += c.lng; s.n += 1;
        });
        Object.keys(streets).forEach(function (name) {
          var s = streets[name];
          L.tooltip({permanent: true, direction: "center", className: "street-label", interactive: false})
            .setLatLng([s.lat / s.n, s.lng / s.n]).setContent(esc(name)).addTo(labels);
        });
        if (bounds.length) map.fitBounds(core(bounds), {padding: [24, 24], maxZoom: 16});
        nStreets = Object.keys(streets).length;
        showLabels();
        var missing = data.count - data.located;
        status.textContent = T.count.replace("{count}", data.count) + (missing > 0 ? T.missing.replace("{missing}", missing) : "") + T.stop;
      })
      .catch(function () { status.textContent = T.failed; });
  }
  var timer;
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  form.addEventListener("change", function () { load(); });
  form.addEventListener("input", function (e) {
    if (e.target.name === "q") { clearTimeout(timer); timer = setTimeout(load, 400); }
  });
  load(true);
});
