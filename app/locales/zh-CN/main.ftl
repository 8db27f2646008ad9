# 安心 · 简体中文（默认语言）

app-name = 安心
app-tagline = 青少年心理健康服务
language-name = 中文
skip-to-content = 跳到正文
nav-label = 栏目
nav-self-check = 自评
nav-booking = 预约
nav-courses = 课程
nav-parent-school = 家长学校
nav-self-check-description = 匿名做一份心理自评问卷。答案只留在你的手机上，不会上传。
nav-booking-description = 预约医院青少年心理门诊和辅导中心的免费咨询，无需注册。
nav-courses-description = 关于情绪、学习压力、睡眠、人际关系的心理健康课程和微课。
nav-parent-school-description = 按孩子年级分册的家长课程：沟通、情绪管理与陪伴。

# 求助
help-button = 需要帮助？
help-panel-label = 求助热线
help-urgent = 如果你或身边的人有生命危险，请立即拨打 110 或 120。
help-more = 更多求助方式
help-title = 求助热线
help-intro = 无论遇到什么，你都不必一个人扛。下面的电话都可以直接拨打，通话内容保密。
help-quick-exit-title = 快速离开
help-quick-exit-text = 每页顶部都有“快速离开”按钮，点一下会立刻跳到一个普通网站，并替换浏览记录中的这一页。
help-privacy-title = 你的隐私
help-privacy-text = 浏览本站不需要注册，也不会设置跟踪 Cookie。自评问卷的答案和结果只在你的手机上计算，不会发送给任何人。
safety-bar-label = 紧急求助
quick-exit = 快速离开

hotline-110-name = 报警电话
hotline-110-hours = 24 小时
hotline-120-name = 医疗急救
hotline-120-hours = 24 小时
hotline-12356-name = 全国心理援助热线
hotline-12356-hours = 24 小时（各地开通情况可能不同）
hotline-12355-name = 青少年服务台
hotline-12355-hours = 各地服务时间不同，部分地区 24 小时

hotline-error-name = 请填写中英文名称（各不超过 60 个字）。
hotline-error-number = 电话号码只能包含数字、空格、“-”和开头的“+”，共 3 到 20 位数字。
hotline-error-hours = 请填写中英文服务时间（各不超过 80 个字）。

# 页脚
privacy-title = 隐私说明
privacy-statement = 安心不要求注册，不使用跟踪工具，不加载任何第三方内容。自评答案只保存在你的手机上。预约时只收集联系你所必需的信息。
footer-help = 查看全部求助热线

# 首页
home-title = 首页
home-heading = 你好，这里是安心
home-lead = 为中小学生和家长提供的免费心理健康服务：匿名自评、预约免费咨询、心理课程和家长学校。
home-help-title = 现在就需要帮助？
home-help-text = 心理援助热线 12356 和青少年服务台 12355 随时可以拨打。遇到危险，请立即拨打 110 或 120。

# 栏目
self-check-title = 心理自评
self-check-intro = 用标准问卷（如 PHQ-9、GAD-7）了解自己最近的情绪状态。全部在你的手机上完成，答案不会离开你的手机。
booking-title = 预约咨询
booking-intro = 预约医院青少年心理健康中心和学生成长指导中心的免费咨询时段，无需注册账号。
courses-title = 心理课程
courses-intro = 面向小学、初中、高中学生的心理健康课程和微课。
parent-school-title = 家长学校
parent-school-intro = 按孩子年级分册的家长课程和“暖心微课”，帮助家长与孩子更好地沟通。
section-not-open = 本站的这项服务还在筹备中。如需帮助，请拨打下面的热线。

# 错误
not-found-title = 找不到这个页面
not-found-text = 这个页面不存在或已被移走。
not-found-home = 返回首页

# 自评
self-check-privacy = 你的答案只在这部手机上计算，不会发送给任何人，也不会被保存。
self-check-item-count = { $count } 题
self-check-ages = { $min } 岁以上
self-check-progress = 第 { $n } 题，共 { $total } 题
self-check-back = 上一题
self-check-next = 下一题
self-check-finish = 查看结果
self-check-result-title = 你的结果
self-check-score-of = 得分 { $value }（满分 { $max }）
self-check-unreliable = 这次的回答中有一些前后不太一致的地方，结果可能不够准确。可以换个时间再认真做一次。
self-check-not-diagnosis = 这个结果只能帮助你了解自己最近的状态，不是诊断。只有专业人员当面评估才能作出诊断。无论分数高低，只要你觉得难受，都值得寻求帮助。
self-check-next-steps = 接下来可以做什么
self-check-book = 预约一次免费咨询
self-check-courses = 看看相关的心理课程
self-check-again = 做另一份问卷
self-check-print = 打印或保存结果
self-check-change = 修改答案
self-check-about = 关于这份问卷
self-check-needs-script = 这份问卷需要在浏览器中开启 JavaScript 才能作答。如需帮助，请拨打页面顶部的求助热线。
crisis-title = 你现在安全吗？
crisis-text = 你提到有伤害自己或不想活下去的念头。谢谢你说出来，这需要勇气。请现在就联系能帮助你的人：如果有危险，请立即拨打 110 或 120；也可以拨打心理援助热线，和专业人员聊一聊。
crisis-continue = 我现在安全，继续答题
crisis-reminder = 你提到过伤害自己的念头。请和信任的人或专业人员聊一聊，下面的电话随时可以拨打。
self-check-export-title = 导出（FHIR 格式）
self-check-export-note = 文件直接保存在这部手机上，不会上传。答案文件包含你的回答，请只交给你信任的人，例如预约时的咨询师。
self-check-export-response = 下载我的回答（QuestionnaireResponse）
self-check-export-questionnaire = 下载这份问卷（Questionnaire）
self-check-keep = 在这部手机上保存这次结果
self-check-keep-note = 默认不保存任何内容。如果你选择保存，只保存日期和分数，不保存你的答案；它们只存在这部手机的浏览器里，可以一键删除。
self-check-kept = 已保存在这部手机上。
self-check-kept-title = 这部手机上保存的结果
self-check-delete-kept = 删除全部保存的结果
self-check-deleted = 保存的结果已全部删除。
self-check-qr-button = 生成给咨询师看的二维码
self-check-qr-note = 二维码只包含下面这几行文字，是在这部手机上生成的。预约咨询时，你可以选择给咨询师看。
self-check-qr-crisis = 提到过伤害自己的念头
