import type { Category } from "./types.ts";

/**
 * An item's category from its name: supplement, food or other. Supplements are checked first ("fish oil" is not
 * cooking oil; "protein powder" is not flour), then things that are plainly not eaten ("dog food", "dish soap"),
 * then foods. An unknown name follows the receipt's other items (a grocery order's unknown line is most likely food).
 */

/** Medicines come in tablets and capsules too, but are not supplements. */
const MEDICINE = words(
  `ibuprofen|acetaminophen|paracetamol|aspirin|naproxen|diclofenac|loratadine|cetirizine|fexofenadine|antihistamines?|hayfever|hay fever|allergy relief|pain ?relief|painkillers?|cough|cold (?:&|and) flu|decongestant|nasal spray|antacids?|heartburn|laxatives?|loperamide|hydrocortisone|eye drops|throat lozenges|schmerztabletten|kopfschmerz|doliprane|analgésique|analgesico|ibuprofeno|paracetamolo`,
);

const SUPPLEMENT = words(
  `vitamins?|multi-?vitamins?|multivitamin|supplements?|capsules?|caps|vcaps|softgels?|tablets?|gummies|gummy vitamins?|lozenges|magnesium|zinc|iron|calcium|potassium|selenium|iodine|chromium|biotin|folate|folic acid|b-?complex|b12|b6|d3|k2|vitamin [a-e]d*|omega-?3s?|fish oil|krill oil|cod liver oil|algae oil|dha|epa|probiotics?|prebiotics?|digestive enzymes?|enzymes?|protein powder|whey(?: protein)?|casein|plant protein|pea protein|collagen(?: peptides)?|creatine|bcaas?|amino acids?|glutamine|l-[a-z]+|electrolytes?|hydration (?:mix|tablets)|melatonin|ashwagandha|rhodiola|turmeric|curcumin|elderberry|echinacea|ginseng|maca|spirulina|chlorella|coq10|ubiquinol|glucosamine|chondroitin|msm|psyllium|fiber supplement|greens powder|super ?greens|lion'?s mane|reishi|cordyceps|milk thistle|berberine|nac|quercetin|resveratrol|lutein|saw palmetto|valerian|5-htp|gaba|inositol|pre-?workout|mass gainer|meal replacement|iu|mcg|µg|vitamina|vitamine|vitamines|vitamini|colágeno|collagène|kollagen|collagene|proteína|protéine|proteine|magnésium|magnesio|probiótico|probiotique|probiotika|nahrungsergänzung|kapseln|tabletten|complément alimentaire|gélules|cápsulas|comprimidos|integratore|capsule`,
);

const OTHER = words(
  `dog|cat|pet|puppy|kitten|litter|paper towels?|toilet paper|tissues?|napkins?|detergent|dish soap|soap|shampoo|conditioner|toothpaste|toothbrush|floss|deodorant|lotion|sunscreen|face cream|hand cream|moisturi[sz]er|razor|diapers?|wipes|trash bags?|bin bags?|garbage bags?|aluminum foil|aluminium foil|foil|plastic wrap|cling film|sponges?|cleaner|bleach|batteries|battery|charger|cable|light bulbs?|candles?|book|magazine|gift card|socks|t-?shirt|shirt|mug|bottle opener|water bottle|shaker bottle|shaker|blender|yoga mat|towel|laundry|fabric softener|dryer sheets|hand wash|body wash|cotton|bandages?|plasters?|tote bag|bag fee|ibuprofen|acetaminophen|paracetamol|aspirin|allergy relief|cough syrup|thermometer|hairbrush|mascara|lipstick|nail|sponge|mop|broom|storage|container|lunch box|gift wrap|card|toy|flowers?|bouquet|plant pot|dripper|grinder|machine|maschine|kettle|french press|coffee filters?|tumbler|scale|spatula|skillet|frying pan|saucepan|knife|cutting board|mason jars?|waschmittel|spülmittel|lessive|détergent|jabón|detersivo`,
);

const FOOD = words(
  `trail mix|jerky|nut butter|seed butter|milk|oat ?milk|almond ?milk|soy ?milk|cream|butter|ghee|cheese|cheddar|mozzarella|parmesan|feta|yogh?urt|kefir|eggs?|bread|baguette|sourdough|bagels?|tortillas?|wraps?|pasta|spaghetti|penne|noodles|rice|quinoa|oats?|oatmeal|porridge|granola|muesli|cereal|flour|sugar|honey|maple syrup|jam|peanut butter|almond butter|tahini|hummus|olive oil|avocado oil|coconut oil|canola oil|vinegar|salt|pepper|spices?|cinnamon|oregano|basil|ketchup|mustard|mayo(?:nnaise)?|salsa|sauce|soup|broth|stock|beans?|lentils|chickpeas|tofu|tempeh|chicken|beef|pork|turkey|lamb|bacon|ham|sausages?|salmon|tuna|cod|shrimp|prawns|fish|sardines|apples?|bananas?|oranges?|lemons?|limes?|berries|strawberries|blueberries|raspberries|grapes|pears?|peaches|mangoe?s?|pineapple|melon|watermelon|kiwis?|avocados?|tomato(?:es)?|potato(?:es)?|sweet potato(?:es)?|onions?|garlic|carrots?|broccoli|cauliflower|spinach|kale|lettuce|salad|cucumbers?|peppers?|zucchini|courgettes?|mushrooms?|celery|cabbage|corn|peas|ginger|herbs|cilantro|parsley|nuts|almonds|walnuts|cashews|pecans|pistachios|peanuts|seeds|chia|flax(?:seed)?|hemp hearts|raisins|dates|dried fruit|chocolate|cocoa|cacao|cookies|biscuits|crackers|chips|crisps|popcorn|pretzels|snacks?|bars?|protein bars?|granola bars?|coffee|espresso|decaf|whole bean|dark roast|medium roast|havermout|pindakaas|thee|koffie|appels|pâtes|thé|tisane|almendras|nueces|avena|leche|huevos|pollo|carne|pescado|fruta|verdura|mandorle|noci|riso|farina|amandes|noix|poulet|viande|poisson|amandelen|noten|kip|vis|mandeln|nüsse|hähnchen|fisch|yeast|nutritional yeast|coconut milk|jalapeños?|piments?|riz|farine|sucre|huile|confiture|miel|légumes|aceite|tomates?|queso|pasta|passata|caffè|pomodoro|beans|tea|matcha|juice|kombucha|sparkling water|mineral water|water|soda|lemonade|wine|beer|cider|ice cream|frozen|pizza|burrito|sandwich|meal kit|bowl|smoothie|croissants?|muffins?|cake|pie|doughnuts?|donuts?|waffles|pancake mix|syrup|jelly|pickles|olives|capers|kimchi|sauerkraut|miso|sushi|nori|seaweed|coconut|banana bread|oat drink|plant milk|creamer|sprouts|greens|produce|fruit|vegetables?|veggies|meat|poultry|seafood|dairy|bakery|deli|groceries|grocery|brot|milch|käse|eier|äpfel|bananen|haferflocken|nudeln|reis|kaffee|tee|joghurt|butter|gemüse|obst|lait|fromage|œufs|oeufs|pain|pommes|café|thé|yaourt|légumes|fruits|leche|queso|huevos|pan|manzanas|plátanos|arroz|latte|formaggio|uova|pane|mele|caffè|melk|kaas|eieren|brood`,
);

/** Whole words in any script: `\b` is ASCII-only and fails after "thé" or "jalapeño". */
function words(alternatives: string): RegExp {
  return new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${alternatives})(?![\p{L}])`, "iu");
}

/** German compounds carry the food at the end ("Bergkäse", "Espressobohnen", "Dinkelbrot"). */
const FOOD_COMPOUND =
  /(kerne|samen|nüsse|käse|brot|brötchen|milch|kaffee|bohnen|nudeln|mehl|saft|wurst|fleisch|gemüse|obst|honig|joghurt|quark|flocken|müsli|schokolade|kuchen|tee)(?:s|n|en)?(?![\p{L}])/iu;

export function categoryOf(name: string): Category | null {
  if (MEDICINE.test(name)) return "other";
  if (SUPPLEMENT.test(name)) return "supplement";
  if (OTHER.test(name) || /(maschine|mühle|kocher|geräte?|becher|flasche)(?![\p{L}])/iu.test(name)) return "other";
  if (FOOD.test(name) || FOOD_COMPOUND.test(name)) return "food";
  return null;
}

/** Categories for a receipt's items: unknown names take the receipt's majority, else `other`. */
export function categorize(names: string[]): Category[] {
  const known = names.map(categoryOf);
  const counts = { food: 0, supplement: 0, other: 0 };
  for (const c of known) if (c) counts[c]++;
  const majority: Category =
    counts.food >= counts.supplement && counts.food > counts.other ? "food" : counts.supplement > counts.other ? "supplement" : "other";
  return known.map((c) => c ?? majority);
}
