/* The page scripts' one way to read their words in the page's language: the template puts
 * {English: words} in a data-texts attribute, and %(name)s marks a value.
 *
 *   var t = casemgrTexts(element);  t("%(count)s cases", { count: 3 })
 *
 * A text the page does not translate is shown in English.
 */
(function () {
  "use strict";

  window.casemgrTexts = function (element) {
    var words = element && element.dataset.texts ? JSON.parse(element.dataset.texts) : {};
    return function (text, values) {
      var out = words[text] || text;
      Object.keys(values || {}).forEach(function (name) {
        out = out.split("%(" + name + ")s").join(String(values[name]));
      });
      return out;
    };
  };
})();
