/* The report form: an anonymous report keeps no name or email, so grey those fields out. */
(function () {
  "use strict";

  var anonymous = document.getElementById("anonymous");
  var contact = ["reporter_name", "reporter_email"]
    .map(function (id) { return document.getElementById(id); })
    .filter(Boolean);
  if (!anonymous || contact.length === 0) return;

  function sync() {
    contact.forEach(function (input) { input.disabled = anonymous.checked; });
  }
  anonymous.addEventListener("change", sync);
  sync();
})();
