/* The dashboard's diagram heat map: the process drawn read-only, each user task coloured by
 * the median hours its cases spent there (the same figures as the #task-heat table).
 *
 * #task-heat-diagram  data-xml-url (the process's latest version), data-times-url (the
 *                     filtered task times); marked data-drawn="heat" once drawn.
 */
(function () {
  "use strict";

  function drawHeat(container) {
    var t = casemgrTexts(container);
    var status = container.parentElement.querySelector(".task-heat-status");
    Promise.all([casemgrFetch.text(container.dataset.xmlUrl),
                 casemgrFetch.json(container.dataset.timesUrl)])
      .then(function (answers) {
        var times = answers[1];
        return window.casemgrViewer
          .show(container, answers[0], { heat: times.heat, heatLabel: t("median hours") })
          .then(function () {
            var measured = Object.keys(times.heat).length;
            status.textContent = measured
              ? t("Median hours in each of %(num)s tasks, darker is slower.", { num: measured })
              : t("No task of these cases is completed yet.");
            container.dataset.drawn = "heat";
          });
      })
      .catch(function (error) {
        status.textContent = t("The diagram could not be drawn: %(error)s",
                               { error: error.message });
      });
  }

  var container = document.getElementById("task-heat-diagram");
  if (container && window.casemgrViewer) drawHeat(container);
})();
