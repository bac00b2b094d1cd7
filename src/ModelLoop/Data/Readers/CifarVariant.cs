namespace ModelLoop.Data.Readers;

/// <summary>Which CIFAR binary format a file holds (Krizhevsky 2009, the "binary version" files).</summary>
public enum CifarVariant
{
    /// <summary>Records of 1 label byte (0–9) + 3,072 pixel bytes (data_batch_*.bin, test_batch.bin).</summary>
    Cifar10,
    /// <summary>Records of a coarse (0–19) and a fine (0–99) label byte + 3,072 pixel bytes (train.bin, test.bin); the fine label is used.</summary>
    Cifar100Fine,
    /// <summary>As <see cref="Cifar100Fine"/>, using the coarse (super-class) label.</summary>
    Cifar100Coarse,
}
