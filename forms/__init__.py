"""WTForms for casemgr's pages and for the user tasks named in the BPMN diagrams."""
