// Check-in at the door: filter the list while typing, and fetch fresh numbers and the
// list every 10 seconds, so two tablets at one door agree without a tap.
// The page works without this file (search with ?q=, every action a POST).
(function () {
  "use strict";
  var live = document.querySelector("[data-door-live]");
  if (!live) { return; }

  function filter() {
    var input = live.querySelector("[data-door-filter]");
    if (!input) { return; }
    var q = input.value.trim().toLowerCase();
    live.querySelectorAll("#door-list li[data-name]").forEach(function (li) {
      li.hidden = q !== "" && li.getAttribute("data-name").indexOf(q) === -1;
    });
  }

  live.addEventListener("input", function (event) {
    if (event.target.matches("[data-door-filter]")) { filter(); }
  });

  function refresh() {
    if (document.hidden || live.contains(document.activeElement) && document.activeElement.matches("input")) {
      return;
    }
    var url = new URL(window.location.href);
    url.hash = "";
    fetch(url.toString(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["door-counts", "door-list"].forEach(function (id) {
          var now = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (now && next && now.innerHTML !== next.innerHTML) { now.innerHTML = next.innerHTML; }
        });
        filter();
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }

  window.setInterval(refresh, 10000);
})();

// Scan a person's QR code with the tablet's camera, where the browser has BarcodeDetector
// (Chrome on Android, among others). The code is a link to this site's check-in page for
// that registration; anything else is ignored. Elsewhere staff open the link another way.
(function () {
  "use strict";
  var box = document.querySelector("[data-door-scan]");
  if (!box || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var start = box.querySelector("[data-door-scan-start]");
  var video = box.querySelector("[data-door-scan-video]");
  var status = box.querySelector("[data-door-scan-status]");
  var prefix = window.location.origin + "/personale/tjek-ind/";
  box.hidden = false;

  start.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        start.hidden = true;
        return video.play().then(function () { look(detector, stream); });
      })
      .catch(function () { status.textContent = start.getAttribute("data-error") || ""; });
  });

  function look(detector, stream) {
    detector.detect(video).then(function (codes) {
      var found = codes.map(function (c) { return c.rawValue; })
        .filter(function (v) { return v.indexOf(prefix) === 0; })[0];
      if (found) {
        stream.getTracks().forEach(function (t) { t.stop(); });
        window.location.assign(found);
        return;
      }
      window.setTimeout(function () { look(detector, stream); }, 250);
    }).catch(function () { window.setTimeout(function () { look(detector, stream); }, 500); });
  }
})();
