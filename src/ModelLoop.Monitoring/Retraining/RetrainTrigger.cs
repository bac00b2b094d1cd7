namespace ModelLoop.Monitoring.Retraining;

/// <summary>What started a retraining job.</summary>
public enum RetrainTrigger
{
    /// <summary>A person ran it (<c>modelloop retrain NAME</c>).</summary>
    Manual,
    /// <summary>The drift monitor raised an alarm after the last job.</summary>
    DriftAlarm,
    /// <summary>Live accuracy's upper confidence bound fell below the champion's test accuracy minus the policy's margin.</summary>
    LiveAccuracy,
    /// <summary>Enough new labels arrived since the last job.</summary>
    NewLabels,
}
