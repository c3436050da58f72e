/* The escalation dashboard: one box in the table head ticks or unticks every case.
 * Without scripts the box stays hidden and each case is ticked on its own.
 */
(function () {
  "use strict";

  var all = document.getElementById("tick-all");
  if (!all) {
    return;
  }
  var boxes = document.querySelectorAll('input[name="case_ids"]');

  function follow() {
    var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; });
    all.checked = boxes.length > 0 && ticked.length === boxes.length;
    all.indeterminate = ticked.length > 0 && ticked.length < boxes.length;
  }

  all.hidden = boxes.length === 0;
  all.addEventListener("change", function () {
    Array.prototype.forEach.call(boxes, function (box) { box.checked = all.checked; });
  });
  Array.prototype.forEach.call(boxes, function (box) { box.addEventListener("change", follow); });
  follow();
})();
