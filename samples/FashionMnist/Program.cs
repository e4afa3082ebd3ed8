using DistTrainer.Data;
using DistTrainer.Nn;
using DistTrainer.Optim;

// Fashion-MNIST with the hand-written loop. Arguments: [steps per epoch] [data directory]; no steps limit trains whole epochs.
int? limit = args.Length > 0 ? int.Parse(args[0]) : null;
var (train, test) = Datasets.FashionMnist(args.Length > 1 ? args[1] : null);
using var model = new Sequential(new Linear(784, 256), new BatchNorm1d(256), new ReLU(), new Dropout(0.2), new Linear(256, 10));
var optimizer = new Adam(model.Parameters(), lr: 1e-3);
var loader = new DataLoader(train, batchSize: 128, shuffle: true, seed: 1);
for (int epoch = 1; epoch <= 2; epoch++)
{
    model.Train();
    double lossSum = 0;
    int steps = 0;
    foreach (var (x, y) in loader.Take(limit ?? loader.Count))
    {
        optimizer.ZeroGrad();
        var loss = Loss.CrossEntropy(model.Forward(x), y);
        loss.Backward();
        optimizer.Step();
        lossSum += loss.Item();
        steps++;
    }
    model.Eval();
    int correct = 0;
    foreach (var (x, y) in new DataLoader(test!, batchSize: 1000))
        correct += Metrics.CountCorrect(model.Forward(x), y);
    Console.WriteLine($"epoch {epoch}: train loss {lossSum / steps:F4}, test accuracy {(double)correct / test!.Count:P2}");
}
