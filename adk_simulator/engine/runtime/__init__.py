"""The Simulation of one session, the seat where the person plays the model, tool runs, phases."""
