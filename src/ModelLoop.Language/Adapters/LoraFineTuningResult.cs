namespace ModelLoop.Language.Adapters;

/// <summary>
/// What a LoRA fine-tune (<see cref="LoraFineTuning.Run"/>) did beyond the run itself: the base's losses next to the
/// fine-tuned model's on the same windows, and the adapter's size next to the base's.
/// </summary>
/// <param name="AdapterDirectory">The adapter saved alone (<see cref="LoraAdapter.Load"/>), inside the run folder.</param>
/// <param name="Base">The base package's full path.</param>
/// <param name="BaseValidationLoss">The base's mean next-token cross-entropy on the run's validation windows (NaN without validation).</param>
/// <param name="ValidationLoss">The fine-tuned model's on the same windows at the last validation (NaN without validation).</param>
/// <param name="BaseTestLoss">The base's on every window of the test documents.</param>
/// <param name="TestLoss">The fine-tuned model's on the same windows.</param>
/// <param name="AdapterParameters">The adapter's parameters.</param>
/// <param name="BaseParameters">The base's parameters.</param>
/// <param name="AdapterBytes">Bytes of the adapter's folder (weights and description).</param>
/// <param name="BaseBytes">Bytes of the base package's weights file.</param>
public sealed record LoraFineTuningResult(string AdapterDirectory, string Base, double BaseValidationLoss, double ValidationLoss, double BaseTestLoss, double TestLoss,
    long AdapterParameters, long BaseParameters, long AdapterBytes, long BaseBytes)
{
    /// <summary>Adapter parameters per base parameter.</summary>
    public double ParameterRatio => (double)AdapterParameters / BaseParameters;

    /// <summary>Adapter bytes on disk per base weights byte.</summary>
    public double SizeRatio => (double)AdapterBytes / BaseBytes;
}
