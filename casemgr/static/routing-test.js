/* "Test a point": after a click on the map (map.js fills the lat/lon inputs) or a change of
 * category or moment, ask the server which routing rule fires and show the answer.
 * Without scripts the form posts and the page shows the answer.
 */
(function () {
  "use strict";

  var form = document.getElementById("routing-test-form");
  var map = document.getElementById("routing-map");
  var answer = document.getElementById("routing-answer");
  if (!form || !map || !answer) return;
  var last = "";

  var t = casemgrTexts(answer);

  function line(className, label, text) {
    var p = document.createElement("p");
    p.className = className;
    p.appendChild(document.createTextNode(label));
    var strong = document.createElement("strong");
    strong.textContent = String(text);  // a text node, never HTML
    p.appendChild(strong);
    return p;
  }

  function ruleText(rule, explanation) {
    if (!rule) return explanation;
    return t("position %(position)s:", { position: rule.position }) + " " +
      (rule.category || t("any category")) + " × " +
      (rule.district ? rule.district.name : t("any district")) + ", " + rule.window;
  }

  function show(result) {
    answer.textContent = "";
    answer.appendChild(line("answer-unit", t("Unit:") + " ",
      result.unit ? result.unit.name : t("none")));
    answer.appendChild(line("answer-district", t("District:") + " ",
      result.district ? result.district.name : t("outside the city's districts")));
    answer.appendChild(line("answer-rule", t("Rule:") + " ",
      ruleText(result.rule, result.explanation)));
    answer.dataset.unit = result.unit ? result.unit.code : "";
  }

  function showErrors(fields) {
    answer.textContent = "";
    Object.keys(fields).forEach(function (name) {
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = name + ": " + fields[name];
      answer.appendChild(p);
    });
    answer.dataset.unit = "";
  }

  function ask() {
    var body = new FormData(form);
    var key = new URLSearchParams(body).toString();
    if (!form.elements.lat.value || !form.elements.lon.value || !form.elements.category.value) {
      return;
    }
    if (key === last) return;
    last = key;
    casemgrFetch.json(form.action, { method: "POST", body: body })
      .then(show)
      .catch(function (error) {
        if (error.body) {
          showErrors(error.body.error ? error.body.error.fields : { point: t("not understood") });
          return;
        }
        showErrors({ server: t("no answer, try again") });
        last = "";
      });
  }

  // Registered after map.js, so the inputs already hold the clicked point.
  map.addEventListener("click", ask);
  ["category", "at", "lat", "lon"].forEach(function (name) {
    form.elements[name].addEventListener("change", ask);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    last = "";
    ask();
  });
})();
