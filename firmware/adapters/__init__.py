"""Pure translations between the parts and the reception flow: a driver's result or error becomes the flow's answer
event, an input event becomes a flow event. No I/O, nothing kept: the daemon, the CLI and the tests call the same
functions, so the flow hears the same thing from the same cause everywhere."""
