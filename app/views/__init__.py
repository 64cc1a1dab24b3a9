"""Blueprints: thin views that parse a form, call a service and render. One module (or
package) per domain; each domain's feature (app/features/) installs its blueprints."""
