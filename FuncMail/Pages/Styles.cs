namespace FuncMail.Pages;

/// <summary>The one stylesheet, inlined and allowed by its hash in the CSP (see ResponseHardening); no third-party assets.</summary>
public static class Styles
{
    public const string Css =
        """
        :root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fff;--muted:#5b5f66;--line:#dadce0;--accent:#0a5fc2;--accent-fg:#fff;--soft:#eef3fb}
        @media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--bg:#16171a;--muted:#a6abb3;--line:#3c4043;--accent:#8ab4f8;--accent-fg:#16171a;--soft:#1f2430}}
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
        header,main{max-width:72rem;margin:0 auto;padding:1rem}header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;border-bottom:1px solid var(--line)}
        a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
        button,.button{font:inherit;padding:.4rem .9rem;border:1px solid var(--accent);border-radius:.3rem;background:var(--accent);color:var(--accent-fg);cursor:pointer;text-decoration:none;display:inline-block}
        input,select{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:.3rem;background:var(--bg);color:var(--fg)}
        .muted{color:var(--muted)}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.3rem}form.inline{display:inline}
        .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        .mail{display:grid;gap:1.5rem}.mail>*{min-width:0}p{overflow-wrap:anywhere}@media (min-width:48rem){.mail{grid-template-columns:14rem 1fr}}
        .folders h2{font-size:1rem;margin:.5rem 0}.folders ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem}@media (min-width:48rem){.folders ul{display:block}}
        .folders a{display:flex;justify-content:space-between;gap:.5rem;padding:.3rem .5rem;border-radius:.3rem;text-decoration:none}.folders a[aria-current=page]{background:var(--soft);font-weight:600}
        .folders .note{font-size:.8rem;margin:.5rem 0 0}.count{font-weight:600}.tools{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}.tools input[type=search]{flex:1 1 12rem;min-width:0}
        .rows{list-style:none;margin:0;padding:0}.row{display:grid;grid-template-columns:1fr auto;gap:0 1rem;padding:.6rem .25rem;border-bottom:1px solid var(--line)}
        .row .from{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.row .address{display:block;font-size:.85rem;color:var(--muted);overflow:hidden;text-overflow:ellipsis}
        .row .when{grid-row:1;grid-column:2;text-align:right;color:var(--muted);font-size:.9rem}.row .open{display:block;font-size:.85rem}
        .row .subject,.row .preview{grid-column:1/-1;overflow-wrap:anywhere}.row .preview{color:var(--muted);font-size:.9rem;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
        .unread .from,.unread .subject .text{font-weight:700}
        .badge{display:inline-block;margin-right:.35rem;padding:0 .4rem;border:1px solid var(--line);border-radius:.6rem;font-size:.75rem;color:var(--muted);vertical-align:.1em}.badge.important{border-color:#c5221f;color:#c5221f}
        @media (prefers-color-scheme:dark){.badge.important{border-color:#f28b82;color:#f28b82}}
        .paging{display:flex;justify-content:space-between;padding:1rem 0}.empty{padding:2rem 0;color:var(--muted)}
        .row .subject a{color:inherit}.message h1{margin:.5rem 0;overflow-wrap:anywhere}.markers{margin:.25rem 0}
        .headers{display:grid;grid-template-columns:auto 1fr;gap:.15rem 1rem;margin:1rem 0}.headers dt{color:var(--muted)}.headers dd{margin:0;overflow-wrap:anywhere}.headers .address{margin-left:.5rem;color:var(--muted)}
        .notice{margin:.5rem 0;padding:.5rem .75rem;border:1px solid var(--line);border-radius:.3rem;background:var(--soft)}
        iframe.body{display:block;width:100%;height:min(70vh,60rem);border:1px solid var(--line);border-radius:.3rem;background:#fff}
        .attachments{list-style:none;margin:0;padding:0}.attachments li{display:flex;flex-wrap:wrap;gap:.25rem .75rem;padding:.4rem 0;border-bottom:1px solid var(--line)}.attachments .name{font-weight:600;overflow-wrap:anywhere}
        """;
}
