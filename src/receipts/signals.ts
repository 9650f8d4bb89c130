import type { Message } from "./mime.ts";

/**
 * What a message says it is, in its subject and opening lines: an order confirmation or receipt, a refund, or one
 * of the look-alikes that carry prices too (shipping notices, abandoned carts, promotions, newsletters, renewal
 * reminders). English, German, French, Spanish, Italian and Dutch phrasings.
 */

const RECEIPT =
  /\b(order confirm(?:ation|ed)|confirmation of your (?:order|purchase)|thanks?(?: you)? for (?:your|the) (?:order|purchase|payment)|thank you for shopping|thanks for shopping|your (?:e-?)?receipt|receipt (?:for|from)|e-?receipt|payment receipt|purchase receipt|digital receipt|your invoice|invoice (?:#|no|number|for)|tax invoice|we(?:'ve|’ve| have) received your order|order (?:received|placed|summary|details|#)|your order (?:is confirmed|has been (?:placed|received|confirmed))|payment (?:received|confirmation|successful|confirmed)|(?:has|have) been charged|you(?:'ve|’ve| have) been charged|we(?:'ve|’ve| have) charged|purchase confirmation|bestellbestätigung|bestellung (?:bestätigt|eingegangen)|vielen dank für ihre bestellung|danke für deine bestellung|ihre rechnung|deine rechnung|kaufbeleg|confirmation de (?:votre )?commande|merci pour votre (?:commande|achat)|votre facture|votre reçu|confirmación (?:de|del) (?:su |tu )?pedido|gracias por (?:tu|su) (?:compra|pedido)|tu recibo|su factura|conferma (?:dell'|d')?ordine|grazie per (?:il tuo|l') ?(?:ordine|acquisto)|la tua ricevuta|bedankt voor je bestelling|orderbevestiging|je factuur)/i;

/** Weaker: the word alone ("Your Harvest Lane receipt", "Order #1047"), which look-alikes use too. */
const RECEIPT_WORD =
  /\b(receipts?|invoice|order\s*(?:#|no\.?|number)|e-?receipt|rechnung|beleg|quittung|facture|reçu|factura|recibo|ricevuta|fattura|bon|kassenbon|kvitto|bestellung|commande|pedido|ordine|bestelling)\b/i;

const REFUND_SUBJECT = /\b(refund|refunded|money back|rückerstattung|erstattung|gutschrift|remboursement|reembolso|rimborso|terugbetaling)\b/i;
const REFUND_BODY =
  /\b((?:we(?:'ve|’ve| have)|has been|have been|was|been) (?:issued|processed|refunded|credited)[^.\n]{0,40}refund|refund (?:of|amount|total|issued|has been|was|for)|amount refunded|total refunded|refunded (?:to|amount|total)|we(?:'ve|’ve| have) refunded|your refund|erstattungsbetrag|wir haben (?:dir|ihnen) [^.\n]{0,30}erstattet|montant remboursé|votre remboursement|tu reembolso|su reembolso|importe reembolsado|il tuo rimborso)\b/i;

const SHIPPING =
  /\b(has shipped|have shipped|is shipped|shipped!|order shipped|package shipped|is on (?:its|the) way|on (?:its|the) way|out for delivery|(?:was|has been|have been) delivered|delivered:|your (?:package|parcel|delivery) (?:is|was|has)|arriving (?:today|tomorrow|soon|on)|tracking number|track your (?:package|parcel|shipment|order|delivery)|shipment|dispatched|ready for (?:pickup|collection)|versandt|verschickt|unterwegs|zugestellt|versandbestätigung|expédiée?|en cours de livraison|livrée?|enviado|en camino|entregado|spedito|in consegna|consegnato|verzonden|onderweg|bezorgd)\b/i;

const CART =
  /\b((?:left|still|waiting|sitting) in your (?:cart|basket|bag)|your (?:cart|basket|bag) (?:is waiting|misses you|is about to expire|is saved|still has)|forgot (?:something|to check ?out)|complete your (?:order|purchase|checkout)|finish (?:checking out|your order|your purchase)|items? (?:in|from) your (?:cart|basket)|return to (?:your )?(?:cart|basket)|back to (?:your )?(?:cart|basket)|still thinking|still interested|did you forget|(?:ihr|dein|im|deinem|ihrem) warenkorb|(?:votre|dans votre|ton) panier|(?:tu|en tu|su) carrito|(?:il tuo|nel tuo) carrello|(?:je|in je|uw) winkelwagen)\b/i;

const PROMO =
  /(\b\d{1,2}\s?% (?:off|rabatt|de (?:réduction|descuento)|di sconto|korting)\b|\b(?:flash )?sale\b|\bshop (?:now|the)\b|\blimited[- ]time\b|\bdeals?\b|\buse (?:code|coupon)\b|\bpromo ?code\b|\bcoupon code\b|\bdiscount code\b|\bnew arrivals\b|\bjust (?:dropped|landed|arrived)\b|\bdon['’]t miss\b|\bends (?:tonight|today|soon|sunday|monday|midnight)\b|\bsave up to\b|\bexclusive offer\b|\bnewsletter\b|\bthis week['’]?s?\b|\brecipes?\b|\bweekly\b|\bdigest\b|\bbuy one,? get one\b|\bbogo\b|\bspecial offer\b|\bclearance\b|\bsoldes\b|\bofertas?\b|\bofferta\b|\bangebot(?:e)?\b|\baanbieding(?:en)?\b|\bpicks for you\b|\brecommended for you\b|\bback in stock\b|\bprice drop\b|\bwishlist\b)/i;

const REMINDER =
  /\b(will (?:renew|be charged|be billed|ship)|(?:upcoming|next) (?:order|charge|delivery|renewal|shipment|box)|renews? on|subscription reminder|payment (?:failed|declined|reminder|due)|(?:auto-?ship|autoship) reminder|order reminder|skip (?:your|this) (?:order|delivery))\b/i;

/** Words that only a completed charge uses: a delivery or "on its way" subject over them is still a receipt. */
const CHARGE =
  /\b(amount charged|total charged|(?:has|have) been charged|charged to|you paid|amount paid|total paid|paid with|betrag belastet|bezahlt mit|montant débité|payé avec|importe cobrado|pagado con)\b/i;

const PAYMENT_METHOD =
  /\b(visa|mastercard|master card|amex|american express|discover|paypal|apple pay|google pay|klarna|card ending|ending in|charged to|paid with|payment method|zahlungsart|bezahlt mit|moyen de paiement|payé avec|método de pago|pagado con|metodo di pagamento|betaalmethode)\b/i;

export type Signals = { score: number; refund: boolean; veto: boolean; paymentMethod: boolean; what: string[] };

export function signals(message: Message, lines: string[]): Signals {
  const subject = message.subject;
  const opening = lines.slice(0, 25).join("\n");
  const body = lines.join("\n");
  const what: string[] = [];
  let score = 0;
  const receiptInSubject = RECEIPT.test(subject);
  const refundInSubject = REFUND_SUBJECT.test(subject) && !/\b(policy|request(?:ed)? a refund|how to)\b/i.test(subject);
  if (receiptInSubject) {
    score += 3;
    what.push("receipt:subject");
  } else if (RECEIPT.test(opening)) {
    score += 2;
    what.push("receipt:body");
  } else if (RECEIPT_WORD.test(subject) || RECEIPT_WORD.test(lines.slice(0, 8).join("\n"))) {
    score += 1.5;
    what.push("receipt:word");
  }
  const refundBody = REFUND_BODY.test(body);
  const refund = refundInSubject || refundBody;
  if (refund) {
    score += refundInSubject ? 3 : 2;
    what.push("refund");
  }
  let veto = false;
  const charged = CHARGE.test(body);
  if (charged) what.push("charged");
  if (SHIPPING.test(subject) && !receiptInSubject && !refund && !charged) {
    score -= 5;
    veto = true;
    what.push("shipping:subject");
  } else if (SHIPPING.test(opening) && !receiptInSubject && !charged) {
    score -= 2;
    what.push("shipping:body");
  }
  if (CART.test(subject) || CART.test(opening)) {
    score -= 6;
    veto = !receiptInSubject || CART.test(subject);
    what.push("cart");
  }
  if (PROMO.test(subject) && !receiptInSubject && !refund) {
    score -= 4;
    what.push("promo:subject");
  }
  const promoHits = (opening.match(new RegExp(PROMO.source, "gi")) ?? []).length;
  if (promoHits) {
    score -= Math.min(3, promoHits);
    what.push(`promo:body×${promoHits}`);
  }
  if (REMINDER.test(subject) || (REMINDER.test(opening) && !receiptInSubject)) {
    score -= 4;
    veto = veto || REMINDER.test(subject);
    what.push("reminder");
  }
  return { score, refund, veto, paymentMethod: PAYMENT_METHOD.test(body), what };
}
