// Starts the Scalar API reference on /api/docs with the OpenAPI document embedded in the page.
// Everything that would call out to scalar.com is off: the page promises no third-party assets.
(function () {
  var source = document.getElementById('openapi-document');
  Scalar.createApiReference('#api-reference-app', {
    content: JSON.parse(source.textContent),
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: 'never',
    documentDownloadType: 'json',
    persistAuth: false,
    authentication: { preferredSecurityScheme: 'bearer' },
  });
})();
