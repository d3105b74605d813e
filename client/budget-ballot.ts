// The live budget meter of the ballot (/:locale/budget/:slug/vote/ballot and the counter), and
// the only script those pages load (with the receipt's print link). Without JavaScript the ballot works the same: the server
// checks every limit and explains what is wrong. With it, each envelope shows, as the voter
// ticks: the total of the chosen projects against the envelope (a bar and the figures, read out
// politely by screen readers), a warning when over, the choices or points left. It never blocks
// anything: the form posts normally and the server decides.
// Everything comes from data- attributes (texts with {placeholders}, costs in millimes); no
// inline script, no HTML strings (textContent only): the Content-Security-Policy allows neither.
//
// Built into public/budget-ballot.js (committed, so no build step at install) with:
//   npx esbuild client/budget-ballot.ts --bundle --minify --format=iife \
//     --target=chrome58,safari11,firefox60 --legal-comments=none --outfile=public/budget-ballot.js \
//     '--banner:js=/* Twiza: built from client/budget-ballot.ts; do not edit. */'

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? values[name]! : whole));
}

function setUp(ballot: HTMLElement): void {
  const data = ballot.dataset;
  const numbers = new Intl.NumberFormat(data.locale || undefined, { maximumFractionDigits: 3 });
  // The page's thousands separator for amounts when it is not the locale's (Arabic: see
  // AMOUNT_GROUP in voting.views.tsx), so the meter writes amounts as the page does.
  const nativeGroup = numbers.format(1000).charAt(1);
  const amount = (n: number) => (data.group ? numbers.format(n).split(nativeGroup).join(data.group) : numbers.format(n));
  const money = (millimes: number) => fill(data.money || '{amount}', { amount: amount(millimes / 1000) });
  const count = (n: number) => numbers.format(n);

  const envelopes = ballot.querySelectorAll<HTMLElement>('[data-pb-envelope]');
  for (let i = 0; i < envelopes.length; i++) {
    const envelope = envelopes[i]!;
    const meter = envelope.querySelector<HTMLElement>('[data-pb-meter]');
    const fillBar = meter?.querySelector<HTMLElement>('.pb-meter__fill');
    const text = meter?.querySelector<HTMLElement>('.pb-meter__text');
    if (!meter || !fillBar || !text) continue;
    const type = envelope.dataset.type;
    const budget = Number(envelope.dataset.budget);
    const maxChoices = envelope.dataset.maxChoices ? Number(envelope.dataset.maxChoices) : null;
    const totalPoints = envelope.dataset.totalPoints ? Number(envelope.dataset.totalPoints) : null;
    const inputs = envelope.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-cost]');

    const update = () => {
      let spent = 0;
      let chosen = 0;
      let points = 0;
      for (let j = 0; j < inputs.length; j++) {
        const input = inputs[j]!;
        const value = input instanceof HTMLInputElement && input.type === 'checkbox' ? (input.checked ? 1 : 0) : Number(input.value) || 0;
        if (value > 0) {
          spent += Number(input.dataset.cost) || 0;
          chosen += 1;
          points += value;
        }
      }
      const lines: string[] = [fill(data.textSpent || '', { spent: money(spent), budget: money(budget) })];
      // Only a knapsack ballot limits the total cost; on the others it is shown for information.
      let over = type === 'knapsack' && spent > budget;
      if (type === 'knapsack') {
        lines.push(over ? fill(data.textOver || '', { over: money(spent - budget) }) : fill(data.textLeft || '', { left: money(budget - spent) }));
      }
      if ((type === 'approval' || type === 'ranking') && maxChoices !== null) {
        if (chosen > maxChoices) {
          over = true;
          lines.push(fill(data.textTooMany || '', { max: count(maxChoices) }));
        } else lines.push(fill(data.textChoicesLeft || '', { left: count(maxChoices - chosen), max: count(maxChoices) }));
      }
      if (type === 'cumulative' && totalPoints !== null) {
        if (points > totalPoints) {
          over = true;
          lines.push(fill(data.textTooManyPoints || '', { total: count(totalPoints) }));
        } else lines.push(fill(data.textPointsLeft || '', { left: count(totalPoints - points), total: count(totalPoints) }));
      }
      const share = budget > 0 ? Math.min(1, spent / budget) : 0;
      fillBar.style.inlineSize = `${Math.round(share * 1000) / 10}%`;
      meter.classList.toggle('pb-meter--over', over);
      const message = lines.join(' · ');
      if (text.textContent !== message) text.textContent = message;
    };

    envelope.addEventListener('change', update);
    envelope.addEventListener('input', update);
    meter.hidden = false;
    update();
  }
}

const ballots = document.querySelectorAll<HTMLElement>('[data-pb-ballot]');
for (let i = 0; i < ballots.length; i++) setUp(ballots[i]!);

// The receipt's "print" link: without JavaScript it opens the receipt alone, to print from the
// browser's menu; with it, the print dialog opens directly.
const printLinks = document.querySelectorAll<HTMLElement>('[data-pb-print]');
for (let i = 0; i < printLinks.length; i++) {
  printLinks[i]!.addEventListener('click', (event) => {
    event.preventDefault();
    window.print();
  });
}
