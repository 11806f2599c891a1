// The survey form: progress, photo checks, "all good"; strings from data attributes of #survey-i18n.
document.addEventListener("DOMContentLoaded", function () {
  var T = document.getElementById("survey-i18n").dataset;
  var form = document.getElementById("survey-form"), progress = document.getElementById("progress");
  var blocks = Array.from(form.querySelectorAll("fieldset.fac"));
  var MAX = 10 * 1024 * 1024;
  function count() {
    var done = blocks.filter(function (b) { return b.querySelector("input[type=radio]:checked"); }).length;
    progress.textContent = T.progress.replace("{done}", done).replace("{total}", blocks.length);
  }
  form.addEventListener("change", function (e) {
    if (e.target.type === "file") {
      // Check on the phone before uploading: an over-size or non-image file
      // is refused here, so the rest of the form is never sent in vain.
      var msg = e.target.closest(".extra").querySelector(".photo-msg"), bad = [];
      Array.from(e.target.files).forEach(function (f) {
        if (!/^image\//.test(f.type)) bad.push(T.not_image.replace("{name}", f.name));
        else if (f.size > MAX) bad.push(T.too_big.replace("{name}", f.name));
      });
      msg.textContent = bad.length ? bad.join(";") + T.choose_again : "";
      if (bad.length) e.target.value = "";
    }
    count();
  });
  document.getElementById("fill-good").addEventListener("click", function () {
    blocks.forEach(function (b) {
      if (!b.querySelector("input[type=radio]:checked")) b.querySelector("input[value=good]").checked = true;
    });
    count();
  });
  form.addEventListener("submit", function (e) {
    var first = blocks.find(function (b) { return !b.querySelector("input[type=radio]:checked"); });
    if (first) {
      e.preventDefault();
      first.classList.add("has-error");
      first.scrollIntoView({behavior: "smooth", block: "center"});
      progress.textContent = T.unrated + first.querySelector("legend").textContent;
    }
  });
  count();
});
