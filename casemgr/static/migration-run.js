/* The migration run page: poll the run's JSON until it is finished, and show the progress.
 * Without scripts the page shows the state it was rendered with; reloading updates it.
 */
(function () {
  "use strict";

  var POLL_MS = 1000;
  var box = document.getElementById("migration-run");
  if (!box) return;

  var t = casemgrTexts(box);

  function setText(selector, value) {
    box.querySelector(selector).textContent = String(value);
  }

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = String(text);  // never HTML: reasons come from the engine
    return td;
  }

  function showFailures(failures) {
    var body = document.querySelector(".migration-failures tbody");
    if (!failures.length) return;
    body.textContent = "";
    failures.forEach(function (failure) {
      var row = document.createElement("tr");
      row.dataset.case = failure.case_id;
      row.appendChild(cell(failure.reference || failure.case_id));
      row.appendChild(cell(failure.reason));
      body.appendChild(row);
    });
  }

  function show(run) {
    var bar = document.getElementById("migration-progress");
    bar.max = run.total || 1;
    bar.value = run.total ? run.done : 1;
    bar.textContent = run.percent + "%";
    setText(".migration-status", t(run.status));
    setText(".migration-moved", run.moved);
    setText(".migration-failed", run.failed);
    setText(".migration-total", run.total);
    setText(".migration-percent", run.percent);
    var error = box.querySelector(".migration-error");
    error.hidden = !run.error;
    error.textContent = run.error || "";
    box.querySelector(".migration-again").hidden = run.status !== "failed";
    showFailures(run.failures);
    box.dataset.finished = run.is_finished ? "true" : "false";
  }

  function poll() {
    casemgrFetch.json(box.dataset.statusUrl)
      .then(function (run) {
        show(run);
        if (!run.is_finished) window.setTimeout(poll, POLL_MS);
      })
      .catch(function () { window.setTimeout(poll, POLL_MS * 5); });
  }

  if (box.dataset.finished !== "true") poll();
})();
