/* The report form: possible duplicates near the chosen point, and a suggested category.
 *
 * When the citizen has a category and a point, open reports of that category nearby are
 * listed with a "me too" button each (a small form posting to the case). When they have
 * written a description, the category the city's past cases suggest is offered.
 * Every text comes from data- attributes (translated by the page) and is set as text.
 */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) return;
  var category = document.getElementById("category");
  var description = document.getElementById("description");
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var panel = document.getElementById("duplicates");
  var suggestion = document.getElementById("category-suggestion");
  var csrf = form.querySelector("input[name=csrf_token]");

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function meTooForm(item) {
    var post = element("form", "", "inline me-too");
    post.method = "post";
    post.action = item.tracking_url + "/me-too";
    if (csrf) {
      var token = element("input");
      token.type = "hidden";
      token.name = "csrf_token";
      token.value = csrf.value;
      post.appendChild(token);
    }
    if (!panel.dataset.loggedIn) {
      var email = element("input");
      email.type = "email";
      email.name = "email";
      email.required = true;
      email.placeholder = panel.dataset.email;
      email.setAttribute("aria-label", panel.dataset.email);
      post.appendChild(email);
    }
    var button = element("button", panel.dataset.meToo, "small");
    button.type = "submit";
    post.appendChild(button);
    return post;
  }

  function showDuplicates(items) {
    panel.textContent = "";
    if (!items.length) {
      panel.hidden = true;
      return;
    }
    panel.appendChild(element("h2", panel.dataset.title));
    panel.appendChild(element("p", panel.dataset.intro, "hint"));
    var list = element("ul", "", "duplicate-list");
    items.forEach(function (item) {
      var row = element("li", "", "duplicate");
      var link = element("a", item.reference);
      link.href = item.tracking_url;
      row.appendChild(link);
      row.appendChild(element("span", " " + item.category + " · " + item.status + " · " +
        item.distance_m + " " + panel.dataset.metres + " · " + item.me_too_count + " " +
        panel.dataset.count, "muted"));
      row.appendChild(meTooForm(item));
      list.appendChild(row);
    });
    panel.appendChild(list);
    panel.hidden = false;
  }

  function checkDuplicates() {
    var la = parseFloat(lat.value), lo = parseFloat(lon.value);
    if (!category.value || isNaN(la) || isNaN(lo)) {
      showDuplicates([]);
      return;
    }
    var query = new URLSearchParams({ category: category.value, lat: la, lon: lo });
    casemgrFetch.json(form.dataset.duplicatesUrl + "?" + query)
      .then(function (body) { showDuplicates(body.items || []); })
      .catch(function () { showDuplicates([]); });
  }

  function showSuggestion(found) {
    suggestion.textContent = "";
    if (!found || found.code === category.value) {
      suggestion.hidden = true;
      return;
    }
    suggestion.appendChild(document.createTextNode(suggestion.dataset.text + " " + found.name + " "));
    var use = element("button", suggestion.dataset.use, "small secondary");
    use.type = "button";
    use.addEventListener("click", function () {
      category.value = found.code;
      category.dispatchEvent(new Event("change", { bubbles: true }));
      suggestion.hidden = true;
    });
    suggestion.appendChild(use);
    suggestion.hidden = false;
  }

  function suggestCategory() {
    var text = description.value.trim();
    if (text.length < 8) return;
    var query = new URLSearchParams({ description: text });
    casemgrFetch.json(form.dataset.suggestionUrl + "?" + query)
      .then(function (body) { showSuggestion(body.suggestion); })
      .catch(function () { showSuggestion(null); });
  }

  category.addEventListener("change", checkDuplicates);
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", checkDuplicates);
    input.addEventListener("input", checkDuplicates);
  });
  description.addEventListener("change", suggestCategory);
  // A second click while the photos upload would send the form again; the server files
  // it once (its submission value), and the disabled button says it is on its way.
  form.addEventListener("submit", function () {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
  });
  checkDuplicates();
})();
