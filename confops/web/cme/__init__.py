"""CME pages: staff (coordinator), learner (account), faculty (speaker), public verification."""
