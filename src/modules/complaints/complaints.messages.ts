// Every text of the complaints services, in Arabic, French and English (ICU MessageFormat): the
// words for statuses, channels and priorities, field errors, and the SMS and e-mails sent to
// citizens and staff. The pages' own texts are added here by the pages under other keys.
// Words follow the administration's usage (shared/GLOSSARY.md): شكاية, رقم المتابعة, التنوير العمومي.
import type { ModuleMessages } from '../../i18n/catalog.ts';

const DAYS_AR = '{days, plural, zero {# يوم} one {يوم واحد} two {يومين} few {# أيام} many {# يومًا} other {# يوم}}';

const ar: Record<string, string> = {
  'complaints.status.received': 'وردت',
  'complaints.status.acknowledged': 'تمّ الاطلاع عليها',
  'complaints.status.assigned': 'أحيلت إلى المصلحة المعنية',
  'complaints.status.in_progress': 'بصدد المعالجة',
  'complaints.status.resolved': 'تمّت معالجتها',
  'complaints.status.closed': 'مغلقة',
  'complaints.status.rejected': 'مرفوضة',
  'complaints.status.duplicate': 'مكرّرة',
  'complaints.status.forwarded': 'أحيلت إلى جهة أخرى',

  'complaints.channel.web': 'الموقع',
  'complaints.channel.sms': 'إرسالية قصيرة',
  'complaints.channel.counter': 'الشباك',
  'complaints.channel.phone': 'الهاتف',
  'complaints.channel.open311': 'تطبيق (Open311)',

  'complaints.priority.low': 'منخفضة',
  'complaints.priority.normal': 'عادية',
  'complaints.priority.high': 'مرتفعة',
  'complaints.priority.urgent': 'عاجلة',

  'complaints.utility.sonede': 'الشركة الوطنية لاستغلال وتوزيع المياه (الصوناد)',
  'complaints.utility.steg': 'الشركة التونسية للكهرباء والغاز (الستاغ)',
  'complaints.utility.onas': 'الديوان الوطني للتطهير (الأوناس)',

  'complaints.group.cleanliness': 'النظافة والبيئة',
  'complaints.group.technical': 'الأشغال والبنية التحتية',
  'complaints.group.police': 'الشرطة البلدية',
  'complaints.group.civil_status': 'الحالة المدنية',
  'complaints.group.administrative': 'الخدمات الإدارية والمالية',

  'complaints.deadline.acknowledge': 'أجل الاطلاع',
  'complaints.deadline.resolve': 'أجل المعالجة',

  // Field errors
  'complaints.category.unknown': 'اختاروا موضوع الشكاية من القائمة.',
  'complaints.location.required': 'حدّدوا المكان: على الخريطة، أو الحي، أو العنوان أو علامة قريبة.',
  'complaints.location.invalid': 'إحداثيات المكان غير صحيحة.',
  'complaints.location.outside': 'هذا المكان خارج تراب البلدية. إن تعلّق الأمر ببلدية أخرى، قدّموا الشكاية لديها.',
  'complaints.answers.invalid_date': 'أدخلوا تاريخًا صحيحًا.',
  'complaints.photo.unsupported': 'نقبل الصور بصيغة JPEG أو PNG أو WebP أو AVIF فقط.',
  'complaints.photo.heic':
    'صور HEIC (آيفون) غير مقبولة بعد. اختاروا «الأكثر توافقًا» في إعدادات الكاميرا، أو أرسلوا لقطة شاشة للصورة.',
  'complaints.photo.unreadable': 'تعذّرت قراءة هذه الصورة: قد تكون ناقصة أو تالفة. أعيدوا إرسالها.',
  'complaints.photo.too_big':
    'الصورة كبيرة جدًا: {max, plural, zero {# ميغابايت} one {ميغابايت واحد} two {ميغابايتان} few {# ميغابايت} many {# ميغابايت} other {# ميغابايت}} على الأكثر.',
  'complaints.photo.too_many_pixels':
    'أبعاد الصورة كبيرة جدًا: {max, plural, zero {# ميغابكسل} one {ميغابكسل واحد} two {ميغابكسلان} few {# ميغابكسل} many {# ميغابكسل} other {# ميغابكسل}} على الأكثر.',
  'complaints.photo.too_many':
    '{max, plural, zero {لا صور} one {صورة واحدة على الأكثر} two {صورتان على الأكثر} few {# صور على الأكثر} many {# صورة على الأكثر} other {# صورة على الأكثر}}.',
  'complaints.filed_by.required': 'الشكايات المقدّمة في الشباك أو بالهاتف يسجّلها عون من البلدية.',
  'complaints.category.code_invalid': 'أحرف لاتينية صغيرة وأرقام وشرطات فقط (40 على الأكثر).',
  'complaints.category.code_taken': 'هذا الرمز مستعمل من قبل.',
  'complaints.category.days_invalid': 'عدد أيام غير صحيح.',
  'complaints.category.resolve_before_ack': 'لا يمكن أن يكون أجل المعالجة أقصر من أجل الاطلاع.',
  'complaints.category.question_code_taken': 'رمز هذا السؤال مستعمل في سؤال آخر.',
  'complaints.category.options_needed': 'أضيفوا اختيارين على الأقل.',
  'complaints.category.options_invalid': 'قيم الاختيارات يجب أن تكون مختلفة، بأحرف لاتينية صغيرة وأرقام.',
  'complaints.category.options_not_allowed': 'هذا النوع من الأسئلة لا يقبل اختيارات.',
  'complaints.workflow.not_allowed': 'لا يمكن القيام بهذا الإجراء في المرحلة الحالية للشكاية.',
  'complaints.workflow.nothing_changed': 'لم يتغيّر شيء.',
  'complaints.assign.not_staff': 'هذا العون لا ينتمي إلى المصلحة المختارة.',
  'complaints.department.unknown': 'اختاروا مصلحة من القائمة.',
  'complaints.duplicate.self': 'لا يمكن أن تكون الشكاية مكرّرة لنفسها.',
  'complaints.duplicate.loop': 'هذه الشكاية مسجّلة أصلًا كمكرّرة لهذه الشكاية.',
  'complaints.duplicate.unknown': 'لا توجد شكاية بهذا الرقم.',
  'complaints.template.unknown': 'نموذج الرد غير موجود.',
  'complaints.feedback.not_resolved': 'يمكن إبداء الرأي بعد معالجة الشكاية فقط.',
  'complaints.feedback.already_given': 'سبق أن أبديتم رأيكم في هذه الشكاية.',
  'complaints.feedback.not_yours': 'يمكن لمقدّم الشكاية أو لمن يتابعها فقط إبداء الرأي.',
  'complaints.feedback.satisfaction_invalid': 'اختاروا درجة بين 1 و5.',

  // SMS and e-mails
  'complaints.message.received.sms': '{municipality}: وردت شكايتكم. رقم المتابعة {tracking}. تابعوها: {url}',
  'complaints.message.received.subject': '{municipality}: وردت شكايتكم {tracking}',
  'complaints.message.received.email':
    'مرحبًا،\n\nوردت شكايتكم على {municipality} بعنوان «{category}».\n\nرقم المتابعة: {tracking}\nلمتابعة مراحل معالجتها: {url}\n\nاحتفظوا بهذا الرقم: يمكنكم ذكره في الشباك أو بالهاتف.',
  'complaints.message.status.sms': '{municipality}: شكايتكم {tracking}: {status}. {url}',
  'complaints.message.status.subject': '{municipality}: شكايتكم {tracking}: {status}',
  'complaints.message.status.email': 'مرحبًا،\n\nتغيّرت حالة شكايتكم {tracking} لدى {municipality}: {status}.\n\nللاطلاع على التفاصيل: {url}',
  'complaints.message.reply.sms': '{municipality}: رد على شكايتكم {tracking}. {url}',
  'complaints.message.reply.subject': '{municipality}: رد على شكايتكم {tracking}',
  'complaints.message.reply.email': 'مرحبًا،\n\nردّت {municipality} على شكايتكم {tracking}.\n\nللاطلاع على التفاصيل: {url}',
  'complaints.message.detail': 'نص الرد:',
  'complaints.message.deadline_reminder.sms': 'تذكير: الشكاية {tracking}، {deadline} ينتهي في {due}.',
  'complaints.message.deadline_reminder.subject': 'تذكير: الشكاية {tracking}، {deadline} ينتهي في {due}',
  'complaints.message.deadline_reminder.email':
    'مرحبًا،\n\n{deadline} للشكاية {tracking} ({category}) ينتهي في {due}.\n\nالشكاية في انتظاركم في فضاء الإدارة: {url}',
  'complaints.message.escalation.sms': 'تجاوز الأجل: الشكاية {tracking}، {deadline} انتهى منذ ' + DAYS_AR + '.',
  'complaints.message.escalation.subject': 'تجاوز الأجل: الشكاية {tracking}',
  'complaints.message.escalation.email':
    'مرحبًا،\n\n{deadline} للشكاية {tracking} ({category}) انتهى في {due}، منذ ' + DAYS_AR + '.\n\nيرجى متابعتها: {url}',
};

const fr: Record<string, string> = {
  'complaints.status.received': 'Reçue',
  'complaints.status.acknowledged': 'Prise en compte',
  'complaints.status.assigned': 'Transmise au service concerné',
  'complaints.status.in_progress': 'En cours de traitement',
  'complaints.status.resolved': 'Traitée',
  'complaints.status.closed': 'Clôturée',
  'complaints.status.rejected': 'Rejetée',
  'complaints.status.duplicate': 'Doublon',
  'complaints.status.forwarded': 'Transmise à un autre organisme',

  'complaints.channel.web': 'Site web',
  'complaints.channel.sms': 'SMS',
  'complaints.channel.counter': 'Guichet',
  'complaints.channel.phone': 'Téléphone',
  'complaints.channel.open311': 'Application (Open311)',

  'complaints.priority.low': 'Basse',
  'complaints.priority.normal': 'Normale',
  'complaints.priority.high': 'Haute',
  'complaints.priority.urgent': 'Urgente',

  'complaints.utility.sonede': 'SONEDE (eau potable)',
  'complaints.utility.steg': 'STEG (électricité et gaz)',
  'complaints.utility.onas': 'ONAS (assainissement)',

  'complaints.group.cleanliness': 'Propreté et environnement',
  'complaints.group.technical': 'Travaux et infrastructures',
  'complaints.group.police': 'Police municipale',
  'complaints.group.civil_status': 'État civil',
  'complaints.group.administrative': 'Services administratifs et financiers',

  'complaints.deadline.acknowledge': 'le délai de prise en compte',
  'complaints.deadline.resolve': 'le délai de traitement',

  'complaints.category.unknown': 'Choisissez l’objet de la réclamation dans la liste.',
  'complaints.location.required': 'Indiquez le lieu : sur la carte, le quartier, ou une adresse ou un repère.',
  'complaints.location.invalid': 'Les coordonnées du lieu ne sont pas valides.',
  'complaints.location.outside': 'Ce lieu est hors du territoire de la commune. S’il relève d’une autre commune, adressez-lui la réclamation.',
  'complaints.answers.invalid_date': 'Saisissez une date valide.',
  'complaints.photo.unsupported': 'Seules les photos JPEG, PNG, WebP ou AVIF sont acceptées.',
  'complaints.photo.heic':
    'Les photos HEIC (iPhone) ne sont pas encore acceptées. Choisissez « Le plus compatible » dans les réglages de l’appareil photo, ou envoyez une capture d’écran de la photo.',
  'complaints.photo.unreadable': 'Cette photo est illisible : elle est peut-être incomplète ou abîmée. Envoyez-la à nouveau.',
  'complaints.photo.too_big': 'Photo trop lourde : {max, plural, one {# Mo} other {# Mo}} au plus.',
  'complaints.photo.too_many_pixels': 'Photo trop grande : {max, plural, one {# mégapixel} other {# mégapixels}} au plus.',
  'complaints.photo.too_many': '{max, plural, one {# photo au plus} other {# photos au plus}}.',
  'complaints.filed_by.required': 'Les réclamations reçues au guichet ou par téléphone sont saisies par un agent de la commune.',
  'complaints.category.code_invalid': 'Lettres latines minuscules, chiffres et tirets seulement (40 au plus).',
  'complaints.category.code_taken': 'Ce code est déjà utilisé.',
  'complaints.category.days_invalid': 'Nombre de jours non valide.',
  'complaints.category.resolve_before_ack': 'Le délai de traitement ne peut pas être plus court que celui de prise en compte.',
  'complaints.category.question_code_taken': 'Ce code est déjà utilisé par une autre question.',
  'complaints.category.options_needed': 'Ajoutez au moins deux choix.',
  'complaints.category.options_invalid': 'Les valeurs des choix doivent être différentes, en lettres latines minuscules et chiffres.',
  'complaints.category.options_not_allowed': 'Ce type de question n’a pas de choix.',
  'complaints.workflow.not_allowed': 'Cette action n’est pas possible à l’étape actuelle de la réclamation.',
  'complaints.workflow.nothing_changed': 'Rien n’a changé.',
  'complaints.assign.not_staff': 'Cet agent n’appartient pas au service choisi.',
  'complaints.department.unknown': 'Choisissez un service dans la liste.',
  'complaints.duplicate.self': 'Une réclamation ne peut pas être son propre doublon.',
  'complaints.duplicate.loop': 'Cette réclamation est déjà enregistrée comme doublon de celle-ci.',
  'complaints.duplicate.unknown': 'Aucune réclamation ne porte ce numéro.',
  'complaints.template.unknown': 'Ce modèle de réponse n’existe pas.',
  'complaints.feedback.not_resolved': 'Vous pourrez donner votre avis une fois la réclamation traitée.',
  'complaints.feedback.already_given': 'Vous avez déjà donné votre avis sur cette réclamation.',
  'complaints.feedback.not_yours': 'Seuls l’auteur de la réclamation et les personnes qui la suivent peuvent donner leur avis.',
  'complaints.feedback.satisfaction_invalid': 'Choisissez une note de 1 à 5.',

  'complaints.message.received.sms': '{municipality} : réclamation reçue. Numéro de suivi {tracking}. Suivi : {url}',
  'complaints.message.received.subject': '{municipality} : réclamation {tracking} reçue',
  'complaints.message.received.email':
    'Bonjour,\n\n{municipality} a bien reçu votre réclamation « {category} ».\n\nNuméro de suivi : {tracking}\nPour en suivre le traitement : {url}\n\nGardez ce numéro : vous pouvez le donner au guichet ou par téléphone.',
  'complaints.message.status.sms': '{municipality} : réclamation {tracking} : {status}. {url}',
  'complaints.message.status.subject': '{municipality} : réclamation {tracking} : {status}',
  'complaints.message.status.email': 'Bonjour,\n\nVotre réclamation {tracking} auprès de {municipality} a changé d’état : {status}.\n\nPour le détail : {url}',
  'complaints.message.reply.sms': '{municipality} : réponse à votre réclamation {tracking}. {url}',
  'complaints.message.reply.subject': '{municipality} : réponse à votre réclamation {tracking}',
  'complaints.message.reply.email': 'Bonjour,\n\n{municipality} a répondu à votre réclamation {tracking}.\n\nPour le détail : {url}',
  'complaints.message.detail': 'Réponse :',
  'complaints.message.deadline_reminder.sms': 'Rappel : réclamation {tracking}, {deadline} expire le {due}.',
  'complaints.message.deadline_reminder.subject': 'Rappel : réclamation {tracking}, {deadline} expire le {due}',
  'complaints.message.deadline_reminder.email':
    'Bonjour,\n\nRéclamation {tracking} ({category}) : {deadline} expire le {due}.\n\nElle vous attend dans l’espace d’administration : {url}',
  'complaints.message.escalation.sms': 'Délai dépassé : réclamation {tracking}, {deadline} a expiré il y a {days, plural, one {# jour} other {# jours}}.',
  'complaints.message.escalation.subject': 'Délai dépassé : réclamation {tracking}',
  'complaints.message.escalation.email':
    'Bonjour,\n\nRéclamation {tracking} ({category}) : {deadline} a expiré le {due}, il y a {days, plural, one {# jour} other {# jours}}.\n\nMerci d’en assurer le suivi : {url}',
};

const en: Record<string, string> = {
  'complaints.status.received': 'Received',
  'complaints.status.acknowledged': 'Acknowledged',
  'complaints.status.assigned': 'Sent to the department in charge',
  'complaints.status.in_progress': 'In progress',
  'complaints.status.resolved': 'Resolved',
  'complaints.status.closed': 'Closed',
  'complaints.status.rejected': 'Rejected',
  'complaints.status.duplicate': 'Duplicate',
  'complaints.status.forwarded': 'Forwarded to another body',

  'complaints.channel.web': 'Website',
  'complaints.channel.sms': 'SMS',
  'complaints.channel.counter': 'Counter',
  'complaints.channel.phone': 'Phone',
  'complaints.channel.open311': 'App (Open311)',

  'complaints.priority.low': 'Low',
  'complaints.priority.normal': 'Normal',
  'complaints.priority.high': 'High',
  'complaints.priority.urgent': 'Urgent',

  'complaints.utility.sonede': 'SONEDE (drinking water)',
  'complaints.utility.steg': 'STEG (electricity and gas)',
  'complaints.utility.onas': 'ONAS (sewerage)',

  'complaints.group.cleanliness': 'Cleanliness and environment',
  'complaints.group.technical': 'Works and infrastructure',
  'complaints.group.police': 'Municipal police',
  'complaints.group.civil_status': 'Civil registry',
  'complaints.group.administrative': 'Administrative and financial services',

  'complaints.deadline.acknowledge': 'the deadline to acknowledge',
  'complaints.deadline.resolve': 'the deadline to resolve',

  'complaints.category.unknown': 'Choose what the complaint is about from the list.',
  'complaints.location.required': 'Say where: on the map, the neighbourhood, or an address or landmark.',
  'complaints.location.invalid': 'The coordinates of the place are not valid.',
  'complaints.location.outside': 'This place is outside the municipality. If it belongs to another municipality, send the complaint there.',
  'complaints.answers.invalid_date': 'Enter a valid date.',
  'complaints.photo.unsupported': 'Only JPEG, PNG, WebP or AVIF photos are accepted.',
  'complaints.photo.heic':
    'HEIC photos (iPhone) are not accepted yet. Choose “Most compatible” in the camera settings, or send a screenshot of the photo.',
  'complaints.photo.unreadable': 'This photo cannot be read: it may be incomplete or damaged. Please send it again.',
  'complaints.photo.too_big': 'The photo is too large: {max, plural, one {# MB} other {# MB}} at most.',
  'complaints.photo.too_many_pixels': 'The photo is too big: {max, plural, one {# megapixel} other {# megapixels}} at most.',
  'complaints.photo.too_many': '{max, plural, one {# photo at most} other {# photos at most}}.',
  'complaints.filed_by.required': 'Complaints received at the counter or by phone are typed in by a member of staff.',
  'complaints.category.code_invalid': 'Lower-case Latin letters, digits and dashes only (40 at most).',
  'complaints.category.code_taken': 'This code is already in use.',
  'complaints.category.days_invalid': 'Not a valid number of days.',
  'complaints.category.resolve_before_ack': 'The deadline to resolve cannot be shorter than the deadline to acknowledge.',
  'complaints.category.question_code_taken': 'Another question already uses this code.',
  'complaints.category.options_needed': 'Add at least two choices.',
  'complaints.category.options_invalid': 'Choice values must differ and use lower-case Latin letters and digits.',
  'complaints.category.options_not_allowed': 'This kind of question has no choices.',
  'complaints.workflow.not_allowed': 'This action is not possible at the complaint’s current stage.',
  'complaints.workflow.nothing_changed': 'Nothing changed.',
  'complaints.assign.not_staff': 'This person does not work in the chosen department.',
  'complaints.department.unknown': 'Choose a department from the list.',
  'complaints.duplicate.self': 'A complaint cannot be a duplicate of itself.',
  'complaints.duplicate.loop': 'That complaint is already recorded as a duplicate of this one.',
  'complaints.duplicate.unknown': 'No complaint has this number.',
  'complaints.template.unknown': 'This reply template does not exist.',
  'complaints.feedback.not_resolved': 'You can give your opinion once the complaint is resolved.',
  'complaints.feedback.already_given': 'You have already given your opinion on this complaint.',
  'complaints.feedback.not_yours': 'Only the person who filed the complaint and those following it can give their opinion.',
  'complaints.feedback.satisfaction_invalid': 'Choose a rating from 1 to 5.',

  'complaints.message.received.sms': '{municipality}: complaint received. Tracking number {tracking}. Follow it: {url}',
  'complaints.message.received.subject': '{municipality}: complaint {tracking} received',
  'complaints.message.received.email':
    'Hello,\n\n{municipality} has received your complaint “{category}”.\n\nTracking number: {tracking}\nFollow its progress: {url}\n\nKeep this number: you can give it at the counter or by phone.',
  'complaints.message.status.sms': '{municipality}: complaint {tracking}: {status}. {url}',
  'complaints.message.status.subject': '{municipality}: complaint {tracking}: {status}',
  'complaints.message.status.email': 'Hello,\n\nYour complaint {tracking} to {municipality} has a new status: {status}.\n\nDetails: {url}',
  'complaints.message.reply.sms': '{municipality}: reply to your complaint {tracking}. {url}',
  'complaints.message.reply.subject': '{municipality}: reply to your complaint {tracking}',
  'complaints.message.reply.email': 'Hello,\n\n{municipality} has replied to your complaint {tracking}.\n\nDetails: {url}',
  'complaints.message.detail': 'Reply:',
  'complaints.message.deadline_reminder.sms': 'Reminder: complaint {tracking}, {deadline} ends on {due}.',
  'complaints.message.deadline_reminder.subject': 'Reminder: complaint {tracking}, {deadline} ends on {due}',
  'complaints.message.deadline_reminder.email':
    'Hello,\n\nComplaint {tracking} ({category}): {deadline} ends on {due}.\n\nIt is waiting for you in the back office: {url}',
  'complaints.message.escalation.sms': 'Overdue: complaint {tracking}, {deadline} passed {days, plural, one {# day} other {# days}} ago.',
  'complaints.message.escalation.subject': 'Overdue: complaint {tracking}',
  'complaints.message.escalation.email':
    'Hello,\n\nComplaint {tracking} ({category}): {deadline} passed on {due}, {days, plural, one {# day} other {# days}} ago.\n\nPlease follow it up: {url}',
};

export const complaintsMessages: ModuleMessages = { ar, fr, en };
