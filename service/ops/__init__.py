"""Operations surface: the /healthz, /readyz and /metrics HTTP server, and the container probe."""
