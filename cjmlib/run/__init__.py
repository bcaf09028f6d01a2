"""Running the playbook: the steps, papermill runner, scheduler, exporter, publisher and manifest."""
