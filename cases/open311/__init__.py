"""Open311 GeoReport v2 under /open311/v2/: discovery, services, requests and tokens, in JSON and XML.

Plain Django views, not the REST API: the spec fixes its own resource names, formats and error shape, so these
endpoints stay out of the OpenAPI schema. The specification: http://wiki.open311.org/GeoReport_v2
"""
