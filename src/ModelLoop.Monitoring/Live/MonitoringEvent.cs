namespace ModelLoop.Monitoring.Live;

/// <summary>Something that happened in the traffic, marked on the plots: the drift alarm, a promotion, the shift's onset.</summary>
/// <param name="Requests">Requests of the model up to the event.</param>
/// <param name="Label">What happened, e.g. "alarm", "v3 promoted".</param>
public sealed record MonitoringEvent(long Requests, string Label);
