"""Routing and transit times: the network, scenarios, the Monte Carlo estimate, alternatives."""
