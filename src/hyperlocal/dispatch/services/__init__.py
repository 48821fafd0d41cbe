"""Dispatch services: shifts (clock in/out), rounds (plan trips), delivery (pick up, deliver,
fail) and the autopilot of simulated couriers. Edges import the module they need."""
