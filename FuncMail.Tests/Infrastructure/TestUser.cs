namespace FuncMail.Tests.Infrastructure;

/// <summary>A person the Entra stub can sign in.</summary>
public sealed record TestUser(string ObjectId, string TenantId, string Name, string Username)
{
    public static TestUser Work() => new(Guid.NewGuid().ToString(), "72f988bf-86f1-41af-91ab-2d7cd011db47", "Ada Lovelace", $"ada.{Guid.NewGuid():N}@contoso.example");

    public static TestUser Personal() => new(Guid.NewGuid().ToString(), "9188040d-6c67-4c5b-b112-36a304b66dad", "Grace Hopper", $"grace.{Guid.NewGuid():N}@outlook.example");

    public string HomeAccountId => $"{ObjectId}.{TenantId}";
}
