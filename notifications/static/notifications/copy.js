// "Copy" buttons next to calendar addresses: <button data-copy="id-of-input">.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var input = document.getElementById(button.getAttribute("data-copy"));
  if (!input) return;
  input.select();
  var done = function () {
    var status = document.getElementById(button.getAttribute("data-copy") + "-status");
    if (status) status.textContent = button.getAttribute("data-copied") || "Copied";
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done);
  } else {
    document.execCommand("copy");
    done();
  }
});

// Read-only address fields select their whole text when focused: <input data-select-on-focus>.
document.addEventListener("focusin", function (event) {
  if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});

// A field that already has the focus when this script runs (it is deferred) is selected too.
(function () {
  var active = document.activeElement;
  if (active && active.matches && active.matches("[data-select-on-focus]")) active.select();
})();
