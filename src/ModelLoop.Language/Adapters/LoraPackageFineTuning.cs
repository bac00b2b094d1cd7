namespace ModelLoop.Language.Adapters;

/// <summary>What <see cref="LoraWorkflow.FineTune"/> did: losses before and after, and the adapter's size next to the base's.</summary>
/// <param name="BaseValidationLoss">The base model's mean next-token cross-entropy on the held-out documents.</param>
/// <param name="ValidationLoss">The same with the trained adapter applied.</param>
/// <param name="AdapterParameters">The adapter's parameters.</param>
/// <param name="BaseParameters">The base model's parameters.</param>
/// <param name="AdapterBytes">Bytes of the adapter's folder (weights and description).</param>
/// <param name="BaseBytes">Bytes of the base package's weights file.</param>
/// <param name="TrainDocuments">Documents trained on.</param>
/// <param name="ValidationDocuments">Documents held out.</param>
/// <param name="OutputDirectory">Where the adapter was saved.</param>
public sealed record LoraPackageFineTuning(double BaseValidationLoss, double ValidationLoss, long AdapterParameters, long BaseParameters,
    long AdapterBytes, long BaseBytes, int TrainDocuments, int ValidationDocuments, string OutputDirectory)
{
    /// <summary>Adapter parameters per base parameter.</summary>
    public double ParameterRatio => (double)AdapterParameters / BaseParameters;

    /// <summary>Adapter bytes on disk per base weights byte.</summary>
    public double SizeRatio => (double)AdapterBytes / BaseBytes;
}
