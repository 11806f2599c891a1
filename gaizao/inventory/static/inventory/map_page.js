// The compound map page; strings come from the page (data attributes of #map-i18n).
// It loads by viewport (issue 14): the data URL without bbox answers the counts
// and where most compounds are; with bbox and zoom, the markers inside,
// clustered on the server (a cluster's colour is its commonest grade; a click
// zooms to it). Nothing on the page grows with the number of compounds.
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
  var summary = null, seq = 0;
  function esc(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function query() {
    var p = new URLSearchParams(new FormData(form));
    Array.from(p.keys()).forEach(function (k) { if (!p.get(k)) p.delete(k); });
    return p.toString();
  }
  function get(url) {
    return fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }
  function dominant(counts) {
    var best = "unknown", n = -1;
    for (var k in counts) if (counts[k] > n) { n = counts[k]; best = k; }
    return best;
  }
  function say(inView) {
    if (!summary) return;
    var missing = summary.count - summary.located;
    status.textContent = T.count.replace("{count}", summary.count) +
      (missing > 0 ? T.missing.replace("{missing}", missing) : "") + T.stop +
      (inView == null ? "" : " " + T.inview.replace("{n}", inView));
  }
  function draw(data) {
    dots.clearLayers(); labels.clearLayers();
    var streets = {};
    data.markers.forEach(function (m) {
      if (m.n) {
        var size = Math.min(56, 22 + Math.round(Math.log(m.n) * 6));
        var colour = gzMap.COLORS[dominant(m.grades)] || gzMap.COLORS.unknown;
        L.marker([m.lat, m.lon], {icon: L.divIcon({
          className: "", iconSize: [size, size],
          html: '<div style="width:' + size + "px;height:" + size + "px;line-height:" + (size - 4) +
            "px;background:" + colour + ';border-radius:50%;color:#fff;font-weight:600;text-align:center;border:2px solid #fff;box-shadow:0 0 0 1px rgba(0,0,0,.3)">' + m.n + "</div>"
        })}).addTo(dots).on("click", function () {
          map.fitBounds([[m.bbox[1], m.bbox[0]], [m.bbox[3], m.bbox[2]]], {padding: [40, 40], maxZoom: 18});
        });
        return;
      }
      gzMap.dot([m.lat, m.lon], m.grade, 6).bindPopup(
        "<strong>" + esc(m.name) + "</strong><br>" + esc(m.street) + "<br>" + T.grade + "" + esc(m.grade_label) +
        (m.score == null ? "" : " " + m.score) + '<br><a href="' + detail + m.id + '/">' + T.details + "</a>"
      ).addTo(dots);
      var s = streets[m.street] || (streets[m.street] = {lat: 0, lng: 0, n: 0});
      s.lat += m.lat; s.lng += m.lon; s.n += 1;
    });
    // Street names once zoomed in (at the centre of its compounds in view).
    if (map.getZoom() >= 14) {
      Object.keys(streets).forEach(function (name) {
        var s = streets[name];
        L.tooltip({permanent: true, direction: "center", className: "street-label", interactive: false})
          .setLatLng([s.lat / s.n, s.lng / s.n]).setContent(esc(name)).addTo(labels);
      });
    }
    say(data.located);
  }
  function markers() {
    var b = map.getBounds(), qs = query(), mine = ++seq;
    var bbox = [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())]
      .map(function (v) { return v.toFixed(5); }).join(",");
    get(el.dataset.src + "?bbox=" + bbox + "&zoom=" + map.getZoom() + (qs ? "&" + qs : ""))
      .then(function (d) { if (mine === seq && d.markers) draw(d); })
      .catch(function () { status.textContent = T.failed; });
  }
  function load(first) {
    var qs = query();
    status.textContent = T.loading;
    if (!first) history.replaceState(null, "", "?" + qs);
    toList.href = toList.href.split("?")[0] + (qs ? "?" + qs : "");
    get(el.dataset.src + (qs ? "?" + qs : ""))
      .then(function (s) {
        summary = s;
        say(null);
        if (s.bounds) map.fitBounds([[s.bounds[1], s.bounds[0]], [s.bounds[3], s.bounds[2]]], {padding: [24, 24], maxZoom: 16});
        markers();
      })
      .catch(function () { status.textContent = T.failed; });
  }
  map.on("moveend", function () { if (summary) markers(); });
  var timer;
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  form.addEventListener("change", function () { load(); });
  form.addEventListener("input", function (e) {
    if (e.target.name === "q") { clearTimeout(timer); timer = setTimeout(load, 400); }
  });
  load(true);
});
