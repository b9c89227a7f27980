// Starts Swagger UI on /api/v1/schema. A file of its own, not an inline script, so the page keeps the
// site's content-security policy; the schema's address comes from the page (data-schema-url).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null // the default sends the schema to an outside validator
  });
})();
