"""HTTP interface of the catalog: controllers and their request/response DTOs."""
