// The demo catalogue for El Kef: the municipal units that handle complaints (shared/CONTEXT.md)
// and what residents complain to them about, in the administration's words
// (shared/GLOSSARY.md). Water (SONEDE), electricity (STEG) and sewerage (ONAS) are national
// utilities: they are not categories here, and complaints about them are forwarded out.
// Everything is editable afterwards; deadlines are the usual 2 days to acknowledge and 21 to
// resolve (the elBaladiya measure) until the municipality decides otherwise.
import type { Db } from '../../db/database.ts';
import { findDepartmentByCode } from '../municipalities/reference-data.repository.ts';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import { findCategoryRowByCode, listResponseTemplateRows, insertResponseTemplateRow } from './categories.repository.ts';
import { type CategoryInput, insertCategory, type QuestionInput } from './categories.service.ts';
import { DEFAULT_DEADLINES } from './complaints.ts';
import { nowIso } from '../../lib/time.ts';

type DemoCategory = Omit<CategoryInput, 'departmentId' | 'ackDays' | 'resolveDays' | 'active' | 'sortOrder' | 'questions' | 'description'> & {
  department: string;
  description?: TrilingualName;
  questions?: QuestionInput[];
};

const WASTE_TYPES: QuestionInput = {
  code: 'waste_type',
  kind: 'single',
  label: { ar: 'نوع الفضلات', fr: 'Type de déchets', en: 'Kind of waste' },
  required: false,
  options: [
    { value: 'household', label: { ar: 'فضلات منزلية', fr: 'Déchets ménagers', en: 'Household waste' } },
    { value: 'green', label: { ar: 'فضلات خضراء (أغصان، أعشاب)', fr: 'Déchets verts (branches, herbes)', en: 'Green waste (branches, grass)' } },
    { value: 'rubble', label: { ar: 'فواضل البناء', fr: 'Gravats de chantier', en: 'Building rubble' } },
    { value: 'bulky', label: { ar: 'فضلات كبيرة الحجم (أثاث، أجهزة)', fr: 'Encombrants (meubles, appareils)', en: 'Bulky items (furniture, appliances)' } },
    { value: 'other', label: { ar: 'أخرى', fr: 'Autre', en: 'Other' } },
  ],
};

export const DEMO_CATEGORIES: DemoCategory[] = [
  // Cleanliness and environment
  {
    code: 'waste',
    groupCode: 'cleanliness',
    department: 'cleanliness',
    name: { ar: 'رفع الفضلات المنزلية', fr: 'Collecte des déchets ménagers', en: 'Household waste collection' },
    description: {
      ar: 'فضلات لم تُرفع، حاوية ممتلئة أو مكسورة.',
      fr: 'Déchets non ramassés, conteneur plein ou cassé.',
      en: 'Waste not collected, a full or broken bin.',
    },
    sensitive: false,
    questions: [WASTE_TYPES],
  },
  {
    code: 'sweeping',
    groupCode: 'cleanliness',
    department: 'cleanliness',
    name: { ar: 'كنس الأنهج والساحات', fr: 'Balayage des rues et des places', en: 'Street and square sweeping' },
    sensitive: false,
  },
  {
    code: 'insects',
    groupCode: 'cleanliness',
    department: 'cleanliness',
    name: { ar: 'مقاومة الحشرات والناموس', fr: 'Lutte contre les insectes et les moustiques', en: 'Insects and mosquitoes' },
    description: {
      ar: 'ناموس، ذباب، مياه راكدة، حاجة إلى المداواة.',
      fr: 'Moustiques, mouches, eaux stagnantes, besoin de traitement.',
      en: 'Mosquitoes, flies, standing water, spraying needed.',
    },
    sensitive: false,
  },
  {
    code: 'landfill',
    groupCode: 'cleanliness',
    department: 'cleanliness',
    name: { ar: 'المصبّات العشوائية', fr: 'Dépôts sauvages', en: 'Illegal dumping' },
    sensitive: false,
    questions: [WASTE_TYPES],
  },
  // Technical service
  {
    code: 'roads',
    groupCode: 'technical',
    department: 'technical',
    name: { ar: 'الطرقات', fr: 'Voirie', en: 'Roads' },
    description: { ar: 'حفر، طريق متضرّرة، علامات مرورية.', fr: 'Nids-de-poule, chaussée abîmée, signalisation.', en: 'Potholes, damaged road surface, road signs.' },
    sensitive: false,
  },
  {
    code: 'sidewalks',
    groupCode: 'technical',
    department: 'technical',
    name: { ar: 'الأرصفة', fr: 'Trottoirs', en: 'Pavements' },
    sensitive: false,
  },
  {
    code: 'lighting',
    groupCode: 'technical',
    department: 'technical',
    name: { ar: 'التنوير العمومي', fr: 'Éclairage public', en: 'Street lighting' },
    description: {
      ar: 'فانوس معطّب أو مشتعل في النهار. انقطاع الكهرباء في المنازل يخصّ الستاغ.',
      fr: 'Lampadaire en panne ou allumé le jour. Une coupure d’électricité à domicile relève de la STEG.',
      en: 'A street lamp out, or lit during the day. A power cut at home is for STEG.',
    },
    sensitive: false,
    questions: [
      {
        code: 'pole_number',
        kind: 'text',
        label: { ar: 'رقم العمود (إن وُجد)', fr: 'Numéro du poteau (s’il y en a un)', en: 'Pole number (if there is one)' },
        required: false,
      },
      {
        code: 'lamps_out',
        kind: 'number',
        label: { ar: 'عدد الفوانيس المعطّبة', fr: 'Nombre de lampes en panne', en: 'How many lamps are out' },
        required: false,
      },
    ],
  },
  {
    code: 'drainage',
    groupCode: 'technical',
    department: 'technical',
    name: { ar: 'تصريف مياه الأمطار', fr: 'Évacuation des eaux pluviales', en: 'Rainwater drainage' },
    description: {
      ar: 'بالوعة مسدودة، مياه أمطار راكدة. قنوات التطهير تخصّ الأوناس.',
      fr: 'Avaloir bouché, eaux de pluie stagnantes. Les égouts relèvent de l’ONAS.',
      en: 'A blocked drain, standing rainwater. Sewers are for ONAS.',
    },
    sensitive: false,
  },
  {
    code: 'green_spaces',
    groupCode: 'technical',
    department: 'technical',
    name: { ar: 'المساحات الخضراء', fr: 'Espaces verts', en: 'Green spaces' },
    sensitive: false,
  },
  {
    code: 'building_permits',
    groupCode: 'technical',
    department: 'technical',
    name: { ar: 'رخص البناء', fr: 'Permis de bâtir', en: 'Building permits' },
    sensitive: false,
  },
  {
    // A neighbour's building: the exact place is never shown publicly.
    code: 'unauthorised_building',
    groupCode: 'technical',
    department: 'technical',
    name: { ar: 'البناء الفوضوي', fr: 'Construction anarchique', en: 'Unauthorised building' },
    sensitive: true,
  },
  // Municipal police
  {
    code: 'hygiene',
    groupCode: 'police',
    department: 'police',
    name: { ar: 'حفظ الصحة', fr: 'Hygiène', en: 'Hygiene' },
    description: {
      ar: 'محلات بيع المواد الغذائية، المقاهي والمطاعم.',
      fr: 'Commerces alimentaires, cafés et restaurants.',
      en: 'Food shops, cafés and restaurants.',
    },
    sensitive: false,
  },
  {
    code: 'markets',
    groupCode: 'police',
    department: 'police',
    name: { ar: 'الأسواق', fr: 'Marchés', en: 'Markets' },
    sensitive: false,
  },
  {
    code: 'public_space',
    groupCode: 'police',
    department: 'police',
    name: { ar: 'الاستغلال غير القانوني للملك العمومي', fr: 'Occupation illégale du domaine public', en: 'Illegal occupation of public space' },
    description: {
      ar: 'رصيف أو طريق مشغول بسلع أو مواد بناء أو انتصاب فوضوي.',
      fr: 'Trottoir ou chaussée occupés par des marchandises, des matériaux ou un étal.',
      en: 'A pavement or road taken up by goods, building materials or a stall.',
    },
    sensitive: false,
  },
  {
    code: 'noise',
    groupCode: 'police',
    department: 'police',
    name: { ar: 'الضجيج', fr: 'Nuisances sonores', en: 'Noise' },
    sensitive: false,
  },
  // Civil status
  {
    code: 'civil_status',
    groupCode: 'civil_status',
    department: 'civil-status',
    name: { ar: 'الحالة المدنية', fr: 'État civil', en: 'Civil registry' },
    description: {
      ar: 'مضامين الولادة، عقود الزواج، شهادات الوفاة، تصحيح الأخطاء.',
      fr: 'Extraits de naissance, actes de mariage et de décès, rectifications.',
      en: 'Birth certificates, marriage and death records, corrections.',
    },
    sensitive: false,
  },
  // Administrative and financial services
  {
    code: 'administrative',
    groupCode: 'administrative',
    department: 'admin-finance',
    name: { ar: 'الخدمات الإدارية', fr: 'Services administratifs', en: 'Administrative services' },
    description: {
      ar: 'الاستقبال، الانتظار، الوثائق المطلوبة، المعاليم البلدية.',
      fr: 'Accueil, attente, pièces demandées, taxes municipales.',
      en: 'Reception, waiting, documents asked for, municipal fees.',
    },
    sensitive: false,
  },
  // The catch-all: complaints that arrive without a category (by SMS) wait here until the
  // complaints cell sorts them at triage (SMS_INTAKE_CATEGORY names it).
  {
    code: 'other',
    groupCode: null,
    department: 'complaints-cell',
    name: { ar: 'أخرى (في انتظار التصنيف)', fr: 'Autre (à classer)', en: 'Other (to be categorised)' },
    description: {
      ar: 'ما لا يندرج ضمن المواضيع الأخرى؛ تتولّى خلية التصرف في الشكايات تصنيفه.',
      fr: 'Ce qui ne relève d’aucune autre catégorie ; la cellule de gestion des réclamations le classe.',
      en: 'Anything that fits no other category; the complaints management cell sorts it.',
    },
    sensitive: false,
  },
];

const DEMO_TEMPLATES = [
  {
    code: 'works_done',
    title: { ar: 'تمّ التدخّل', fr: 'Intervention réalisée', en: 'Work done' },
    body: {
      ar: 'تدخّلت المصالح البلدية في المكان وتمّت معالجة المشكل. شكرًا على إعلامنا.',
      fr: 'Les services municipaux sont intervenus sur place et le problème a été traité. Merci de nous l’avoir signalé.',
      en: 'The municipal services went on site and the problem has been fixed. Thank you for telling us.',
    },
  },
  {
    code: 'utility',
    title: { ar: 'من مشمولات مؤسسة وطنية', fr: 'Relève d’un opérateur national', en: 'For a national utility' },
    body: {
      ar: 'هذا المشكل من مشمولات مؤسسة وطنية (الصوناد أو الستاغ أو الأوناس). أحلنا إليها شكايتكم.',
      fr: 'Ce problème relève d’un opérateur national (SONEDE, STEG ou ONAS). Nous lui avons transmis votre réclamation.',
      en: 'This problem is for a national utility (SONEDE, STEG or ONAS). We have forwarded your complaint to them.',
    },
  },
  {
    code: 'more_information',
    title: { ar: 'نحتاج إلى معلومات إضافية', fr: 'Informations complémentaires', en: 'More information needed' },
    body: {
      ar: 'لم نتمكّن من تحديد المكان بدقّة. يرجى الاتصال بخلية التصرف في الشكايات أو إضافة علامة قريبة.',
      fr: 'Nous n’avons pas pu situer le lieu précisément. Merci de contacter la cellule de gestion des réclamations ou d’indiquer un repère.',
      en: 'We could not locate the place precisely. Please contact the complaints management cell or give a landmark.',
    },
  },
];

/**
 * Adds the demo categories and reply templates that are missing (by code), routed to the
 * municipality's departments of the same codes when they exist. Safe to run again.
 */
export async function seedComplaintCatalogue(db: Db, municipalityId: number): Promise<{ categories: number; templates: number }> {
  return db.transaction().execute(async (trx) => {
    let categories = 0;
    for (const [index, demo] of DEMO_CATEGORIES.entries()) {
      if (await findCategoryRowByCode(trx, municipalityId, demo.code)) continue;
      const department = await findDepartmentByCode(trx, municipalityId, demo.department);
      await insertCategory(trx, municipalityId, {
        code: demo.code,
        name: demo.name,
        description: demo.description ?? null,
        groupCode: demo.groupCode,
        departmentId: department?.id ?? null,
        sensitive: demo.sensitive,
        ackDays: DEFAULT_DEADLINES.acknowledgeDays,
        resolveDays: DEFAULT_DEADLINES.resolveDays,
        active: true,
        sortOrder: (index + 1) * 10,
        questions: demo.questions ?? [],
      });
      categories += 1;
    }
    const existing = new Set((await listResponseTemplateRows(trx, municipalityId)).map((t) => t.code));
    let templates = 0;
    for (const template of DEMO_TEMPLATES) {
      if (existing.has(template.code)) continue;
      const now = nowIso();
      await insertResponseTemplateRow(trx, {
        municipality_id: municipalityId,
        code: template.code,
        title_ar: template.title.ar,
        title_fr: template.title.fr,
        title_en: template.title.en,
        body_ar: template.body.ar,
        body_fr: template.body.fr,
        body_en: template.body.en,
        created_at: now,
        updated_at: now,
      });
      templates += 1;
    }
    return { categories, templates };
  });
}
