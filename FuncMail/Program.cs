using FuncMail;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseFuncMail();
builder.Services.AddFuncMail(builder.Configuration, builder.Environment);
builder.Build().Run();
