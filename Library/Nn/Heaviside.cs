namespace DistTrainer.Nn;

/// <summary>The step function (torch.heaviside with 0 at 0): 1 where x &gt; 0, else 0; its gradient is 0, as autograd sees it.</summary>
public sealed class Heaviside : Module
{
    internal override string Entry => "step";
}
