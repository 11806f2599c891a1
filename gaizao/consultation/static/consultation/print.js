// The print button of printable pages (certificate, household letters):
// a static file, so the pages need no inline script (Content-Security-Policy).
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) window.print();
});
