"""The state-system data set of `make seed-scale` (issue 17): a catalogue and a
few learners made through the services, then a million learners copied in."""
