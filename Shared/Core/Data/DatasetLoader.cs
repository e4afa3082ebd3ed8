namespace DistTrainer.Core.Data;

/// <summary>
/// Turns the --dataset and --data-dir options into a training set and an optional test set.
/// A directory of IDX files holds train-images-idx3-ubyte and train-labels-idx1-ubyte, and may hold
/// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte as a test set; each file may also be gzipped
/// with a .gz suffix. When both forms of one file are present the raw one is read: it is the one
/// someone unpacked on purpose, and it loads without decompressing. Feature vectors rather than
/// images may come as train-images-idx2-ubyte / t10k-images-idx2-ubyte. Loads of the same files in one
/// process share one copy of them (<see cref="DatasetCache"/>).
/// </summary>
public static class DatasetLoader
{
    public const string FashionMnist = "fashion-mnist";
    public const string Xor = "xor";

    /// <summary>Where Debian's package dataset-fashion-mnist installs its files.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    private const string TrainImages = "train-images-idx3-ubyte";
    private const string TrainVectors = "train-images-idx2-ubyte";
    private const string TrainLabels = "train-labels-idx1-ubyte";
    private const string TestImages = "t10k-images-idx3-ubyte";
    private const string TestVectors = "t10k-images-idx2-ubyte";
    private const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>
    /// <see cref="Load(string?, string?)"/> cut to the first <paramref name="trainSamples"/> training and
    /// <paramref name="testSamples"/> test samples, when given.
    /// </summary>
    public static (Dataset Train, Dataset? Test) Load(string? datasetName, string? dataDir, int? trainSamples, int? testSamples)
    {
        var (train, test) = Load(datasetName, dataDir);
        return (trainSamples is { } n ? train.Head(n) : train, testSamples is { } m ? test?.Head(m) : test);
    }

    /// <summary>
    /// <paramref name="datasetName"/> defaults to fashion-mnist; <paramref name="dataDir"/>, when given,
    /// replaces the directory that fashion-mnist reads its IDX files from.
    /// </summary>
    public static (Dataset Train, Dataset? Test) Load(string? datasetName, string? dataDir) => Load(datasetName, dataDir, withTest: true);

    /// <summary>
    /// The training set alone, cut to its first <paramref name="trainSamples"/> samples when given: what a worker trains on. The
    /// test images are not read (a worker never scores them); the test labels are, since the class count covers both sets.
    /// </summary>
    public static Dataset LoadTraining(string? datasetName, string? dataDir, int? trainSamples)
    {
        var train = Load(datasetName, dataDir, withTest: false).Train;
        return trainSamples is { } n ? train.Head(n) : train;
    }

    private static (Dataset Train, Dataset? Test) Load(string? datasetName, string? dataDir, bool withTest)
    {
        switch (datasetName ?? FashionMnist)
        {
            case FashionMnist when dataDir is null:
                return LoadFashionMnist(FashionMnistDirectory, withTest);
            case FashionMnist:
                return LoadDataDirectory(dataDir, withTest);
            case Xor when dataDir is not null:
                throw new InvalidInputException($"--data-dir: the {Xor} dataset is built in and reads no files, drop --data-dir {dataDir}");
            case Xor:
                return XorPoints();
            default:
                throw new InvalidInputException($"--dataset: unknown dataset '{datasetName}'; expected {FashionMnist} or {Xor}");
        }
    }

    internal static (Dataset Train, Dataset? Test) LoadFashionMnist(string directory, bool withTest = true) =>
        LoadIdxDirectory(new IdxDirectory(directory, FashionMnist, FashionMnist,
            "; install it with 'apt-get install dataset-fashion-mnist' or pass --data-dir DIR with the IDX files"), withTest);

    internal static (Dataset Train, Dataset? Test) LoadDataDirectory(string directory, bool withTest = true)
    {
        if (!Directory.Exists(directory))
        {
            throw new InvalidInputException($"--data-dir {directory}: directory not found");
        }

        return LoadIdxDirectory(new IdxDirectory(directory, Path.GetFullPath(directory), $"--data-dir {directory}", ""), withTest);
    }

    /// <summary>The four corners of the unit square, labelled by XOR; the test set is the training set.</summary>
    private static (Dataset Train, Dataset? Test) XorPoints()
    {
        var xor = new Dataset(Xor, featureCount: 2, [0, 0, 0, 1, 1, 0, 1, 1], [0, 1, 1, 0], classCount: 2);
        return (xor, xor);
    }

    private static (Dataset Train, Dataset? Test) LoadIdxDirectory(IdxDirectory source, bool withTest)
    {
        string trainImagesPath = source.Find(TrainImages) ?? source.Find(TrainVectors) ?? throw source.Missing(TrainImages);
        string trainLabelsPath = source.Find(TrainLabels) ?? throw source.Missing(TrainLabels);
        string? testImagesPath = source.Find(TestImages) ?? source.Find(TestVectors);
        string? testLabelsPath = source.Find(TestLabels);
        if ((testImagesPath is null) != (testLabelsPath is null))
        {
            (string present, string absent) = testImagesPath is null ? (TestLabels, TestImages) : (TestImages, TestLabels);
            throw new InvalidInputException(
                $"{source.Label}: {source.Directory} has {present}[.gz] but no {absent}[.gz]; a test set needs both or neither");
        }

        string?[] files = [trainImagesPath, trainLabelsPath, testImagesPath, testLabelsPath];
        return DatasetCache.GetOrLoad(source.Name, files.OfType<string>(), withTest,
            () => ReadTraining(source, trainImagesPath, trainLabelsPath, testLabelsPath),
            training => testImagesPath is null || testLabelsPath is null ? null : ReadTest(source, training, testImagesPath, testLabelsPath));
    }

    private static LoadedTraining ReadTraining(IdxDirectory source, string trainImagesPath, string trainLabelsPath, string? testLabelsPath)
    {
        (IdxImages trainImages, int[] trainLabels) = ReadPair(trainImagesPath, trainLabelsPath);
        if (trainImages.Count == 0)
        {
            throw new InvalidInputException($"{trainImagesPath}: holds no images, nothing to train on");
        }

        // Both sets share one class count, so a model sized for the training set scores the test set: the test labels are
        // read for it even when the test images are not.
        int[]? testLabels = testLabelsPath is null ? null : IdxReader.ReadLabels(testLabelsPath);
        int classCount = Math.Max(trainLabels.Max(), (testLabels ?? []).DefaultIfEmpty(0).Max()) + 1;
        return new LoadedTraining(ToDataset(source, trainImages, trainLabels, classCount), trainImagesPath, trainImages.Rows, trainImages.Columns,
            testLabels);
    }

    /// <summary>The test set beside <paramref name="training"/>: its images read now, its labels the ones read with the training set.</summary>
    private static Dataset ReadTest(IdxDirectory source, LoadedTraining training, string testImagesPath, string testLabelsPath)
    {
        IdxImages testImages = IdxReader.ReadImages(testImagesPath);
        int[] testLabels = training.TestLabels ?? throw new InvalidOperationException($"{testLabelsPath} was not read with the training set");
        CheckPair(testImages, testImagesPath, testLabels, testLabelsPath);
        if (testImages.PixelsPerImage != training.Rows * training.Columns)
        {
            throw new InvalidInputException(
                $"{testImagesPath}: images of {testImages.Rows}x{testImages.Columns}, but the training images " +
                $"in {training.ImagesPath} are {training.Rows}x{training.Columns}");
        }

        return ToDataset(source, testImages, testLabels, training.Set.ClassCount);
    }

    private static (IdxImages Images, int[] Labels) ReadPair(string imagesPath, string labelsPath)
    {
        IdxImages images = IdxReader.ReadImages(imagesPath);
        int[] labels = IdxReader.ReadLabels(labelsPath);
        CheckPair(images, imagesPath, labels, labelsPath);
        return (images, labels);
    }

    private static void CheckPair(IdxImages images, string imagesPath, int[] labels, string labelsPath)
    {
        if (images.Count != labels.Length)
        {
            throw new InvalidInputException(
                $"{imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels");
        }
    }

    private static Dataset ToDataset(IdxDirectory source, IdxImages images, int[] labels, int classCount) =>
        Dataset.FromPixels(source.Name, images.PixelsPerImage, images.Pixels, labels, classCount);

    /// <summary>
    /// A directory of IDX files: the name its datasets get, the label that starts messages about it,
    /// and what to add when a file is missing.
    /// </summary>
    private sealed record IdxDirectory(string Directory, string Name, string Label, string MissingHint)
    {
        public string? Find(string stem)
        {
            string raw = Path.Combine(Directory, stem);
            string gzipped = raw + ".gz";
            return File.Exists(raw) ? raw : File.Exists(gzipped) ? gzipped : null;
        }

        public InvalidInputException Missing(string stem) =>
            new($"{Label}: no {stem} or {stem}.gz in {Directory}{MissingHint}");
    }
}
