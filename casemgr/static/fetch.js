/* The page scripts' one way to ask the server: same-origin credentials, and an answer that
 * is not 2xx turned into an Error naming the URL and status, carrying the answer's JSON
 * (error.body) when it has one, such as the API's {"error": {"fields": ...}}.
 *
 *   casemgrFetch.json(url[, options]) -> Promise of the parsed JSON
 *   casemgrFetch.text(url[, options]) -> Promise of the text
 *
 * A network failure rejects with fetch's own error, which has no status.
 */
(function () {
  "use strict";

  function refused(url, response) {
    var error = new Error(url + " answered " + response.status);
    error.status = response.status;
    error.body = null;
    return response.json()
      .then(function (body) { error.body = body; }, function () {})
      .then(function () { throw error; });
  }

  function ask(url, options, accept) {
    var settings = Object.assign({ credentials: "same-origin" }, options || {});
    settings.headers = Object.assign({ Accept: accept }, settings.headers || {});
    return fetch(url, settings).then(function (response) {
      return response.ok ? response : refused(url, response);
    });
  }

  window.casemgrFetch = {
    json: function (url, options) {
      return ask(url, options, "application/json").then(function (response) {
        return response.json();
      });
    },
    text: function (url, options) {
      return ask(url, options, "*/*").then(function (response) { return response.text(); });
    },
  };
})();
