namespace ModelLoop.Tracking;

/// <summary>Where a tracked run is in its life.</summary>
public enum RunStatus
{
    /// <summary>Started and its process is alive (or last seen recently, for another machine).</summary>
    Running,
    /// <summary>Ended normally.</summary>
    Finished,
    /// <summary>Ended with an error, recorded with the run.</summary>
    Failed,
    /// <summary>Its process died without ending the run (killed, crashed, power lost).</summary>
    Killed,
}
