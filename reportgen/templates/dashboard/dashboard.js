/* Progressive enhancement for the dashboard pages, shipped in the bundle (no external request).
   Without it every page works as it is: the list of regions stays a list of links. With it, the
   overview also offers a region picker that goes to the chosen region's page. */
(function () {
  "use strict";
  var picker = document.querySelector(".region-picker");
  if (!picker) { return; }
  var select = picker.querySelector("select");
  var go = picker.querySelector("button");
  picker.hidden = false;
  go.addEventListener("click", function () {  // a button, not "change": arrow keys in the list must not navigate
    if (select.value) { window.location.href = select.value; }
  });
})();
