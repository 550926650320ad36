"""The run engine: session, scenario context, journal, pytest-bdd driver, verdict."""
