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
  var byUrl = function (p) { if (p.data && p.data.url) window.location.href = p.data.url; };
  mk("chart-funnel", {
    tooltip: { trigger: "item" },
    series: [{ type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "20%",
      label: { show: true, position: "inside", formatter: "{b}: {c}" }, data: d.funnel }]
  }, byUrl);
  mk("chart-funding", {
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    series: [{ type: "pie", radius: ["35%", "70%"], data: d.funding, label: { formatter: "{b}\n{d}%" } }]
  }, byUrl);
  var stages = ["surveyed", "eligible", "planned", "voted", "approved"];
  mk("chart-streets", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 10, bottom: 40, top: 40, containLabel: true },
    xAxis: { type: "category", data: d.streets.names, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value" },
    series: d.streets.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  }, function (p) {
    var url = d.streets.urls[p.dataIndex];
    if (url) window.location.href = url + "&stage=" + stages[p.seriesIndex];
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
