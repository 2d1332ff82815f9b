# Shortcuts for the scripts in scripts/ (the scripts are the source of truth; README documents them).
.PHONY: demo test fuzz security

demo:
	scripts/run_demo.sh

test:
	scripts/run_tests.sh

fuzz:  ## schemathesis against the OpenAPI schema; EXAMPLES=N per operation
	scripts/fuzz.sh $(or $(EXAMPLES),50)

security:
	scripts/security.sh
