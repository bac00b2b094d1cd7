namespace ModelLoop.Modeling;

/// <summary>A model cannot be built or does not fit its data: the message names the layer and both shapes.</summary>
public sealed class ModelBuildException : Exception
{
    public ModelBuildException(string message) : base(message) { }
}
