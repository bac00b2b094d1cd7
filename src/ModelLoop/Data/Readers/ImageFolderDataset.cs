namespace ModelLoop.Data.Readers;

/// <summary>Images loaded from a class-per-sub-folder tree: the tensors, class names by label index, and the file of each sample.</summary>
public sealed record ImageFolderDataset(TensorDataset Data, IReadOnlyList<string> Classes, IReadOnlyList<string> Files) : IDisposable
{
    public void Dispose() => Data.Dispose();
}
